package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.dist.VagothProcess.Result;

/**
 * {@code evacuate} from the command line on simulated hosts that share no
 * storage (each VM's disk moves): with room for all, without room for one,
 * with an exclusion tag forcing a spread, with a move that fails on the
 * way, and run twice.
 */
@Timeout(300)
class EvacuateIT {
    @TempDir
    Path tmp;

    private Path home() {
        return tmp.resolve("home");
    }

    @AfterEach
    void stop() throws Exception {
        VagothProcess.endProcessesOf(home());
    }

    private Result vagoth(String... args) throws Exception {
        return VagothProcess.run(home(), List.of(), args);
    }

    private String ok(String... args) throws Exception {
        Result r = vagoth(args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + ": " + r.err() + r.out());
        return r.out();
    }

    private void host(String hv, int memMb) throws Exception {
        ok("new", "--type", "hv", hv, "driver=geats", "agent='" + Path.of(System.getProperty("vagoth.dist"), "bin",
                "vagoth-agent") + "' --backend sim --state '" + tmp.resolve(hv) + "' --mem-total " + memMb + " --cpus 8");
    }

    private void vmOnHyper1(String vm, int ram) throws Exception {
        ok("new", vm, "template=debian", "ram=" + ram);
        ok("provision", "--hint", "hyper1", vm);
    }

    private String parentOf(String vm) throws Exception {
        return ok("list", vm).replaceAll("(?s).*parent=(\\S*).*", "$1");
    }

    @Test
    void withRoomForAllEveryVmMovesAndRunningItAgainIsSafe() throws Exception {
        host("hvB", 4096);
        host("hvC", 4096);
        for (String vm : List.of("a", "b", "c", "d")) {
            vmOnHyper1(vm, 2048);
        }
        ok("start", "a");
        String plan = ok("evacuate", "--dry-run", "hyper1");
        assertTrue(plan.contains("4 would move, 0 would stay"), plan);
        assertTrue(ok("listhv", "hyper1").contains("maintenance=off"), "a dry run changes nothing");

        String done = ok("evacuate", "--parallel", "2", "hyper1");
        assertTrue(done.contains("evacuate: 4 moved, 0 failed, 0 could not be placed; hyper1 stays in maintenance"),
                done);
        for (String vm : List.of("a", "b", "c", "d")) {
            assertTrue(done.contains(vm + " -> hv") && done.contains(": moved (job "), done);
            assertTrue(parentOf(vm).startsWith("hv"), vm + " left hyper1");
        }
        assertTrue(ok("list", "a").contains("state=starting"), "a ran, and runs again where it went");
        assertTrue(ok("listhv", "hvB").contains("vms=2") && ok("listhv", "hvC").contains("vms=2"));
        assertTrue(ok("listhv", "hyper1").contains("vms=0") && ok("listhv", "hyper1").contains("maintenance=on"));

        assertEquals("evacuate: hyper1 is in maintenance; 0 VMs on it\nevacuate: nothing to move",
                ok("evacuate", "hyper1"), "twice is safe");
        assertEquals("evacuate: hyper1 is in maintenance; 0 VMs on it\nevacuate: nothing to move",
                ok("maintenance", "--evacuate", "hyper1", "on"), "maintenance on --evacuate is the same");
    }

    @Test
    void whatFitsNowhereStaysWithItsReasonAndTheExitStatusSaysSo() throws Exception {
        host("hvB", 4096);
        vmOnHyper1("small", 1024);
        vmOnHyper1("large", 8192);
        Result dry = vagoth("evacuate", "--dry-run", "hyper1");
        assertEquals(2, dry.status(), dry.toString());
        Result r = vagoth("evacuate", "hyper1");
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.out().contains("large: stays, it fits nowhere (hvB needs 8192 MB RAM, has 4096 MB free of 4096;"
                + " hyper1 is being emptied)"), r.out());
        assertTrue(r.out().contains("evacuate: 1 moved, 0 failed, 1 could not be placed"), r.out());
        assertEquals("hvB", parentOf("small"));
        assertEquals("hyper1", parentOf("large"));
    }

    @Test
    void anExclusionTagSpreadsTheMovesAcrossHosts() throws Exception {
        host("hvB", 16384);
        host("hvC", 16384);
        host("hvD", 16384);
        for (String vm : List.of("db1", "db2", "db3")) {
            vmOnHyper1(vm, 1024);
            ok("set", "--tag", "anti_affinity=db", vm); // tagged once there: placement would not have put them together
        }
        // without the tag all three would fit on the first host; with it each takes its own
        String done = ok("evacuate", "hyper1");
        assertTrue(done.contains("3 moved"), done);
        assertEquals(3, java.util.Set.of(parentOf("db1"), parentOf("db2"), parentOf("db3")).size(), done);
    }

    @Test
    void aMoveThatFailsOnTheWayLeavesThatVmWholeAtTheSourceAndTheRestMove() throws Exception {
        // a host that answers its poll, so the plan chooses it, but cannot take a disk
        ok("new", "--type", "hv", "hvBad", "driver=geats", "mem_total=2048", "cpus=8",
                "agent=" + VagothProcess.pollableAgent("exit 1"));
        host("hvB", 2048);
        vmOnHyper1("one", 2048);
        vmOnHyper1("two", 2048);
        Result r = vagoth("evacuate", "hyper1");
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.out().contains("evacuate: 1 moved, 1 failed, 0 could not be placed"), r.out());
        assertTrue(r.out().contains("-> hvBad: failed: ") && r.out().contains("whole on hyper1"), r.out());
        String left = parentOf("one").equals("hyper1") ? "one" : "two";
        assertEquals("hyper1", parentOf(left));
        Result again = vagoth("evacuate", "hyper1");
        assertTrue(again.out().contains("1 VM on it"), again.out());
    }
}
