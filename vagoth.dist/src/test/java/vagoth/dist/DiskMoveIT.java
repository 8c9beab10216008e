package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.dist.VagothProcess.Result;

/**
 * {@code migrate} between simulated hosts that share no storage, from the
 * command line on real processes: the VM's disk (a file on it) arrives, the
 * job shows what it did; a stream damaged on the way to the destination is
 * refused and the VM is whole, running again, on its source.
 */
@Timeout(300)
class DiskMoveIT {
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
        assertEquals(0, r.status(), () -> String.join(" ", args) + ": " + r.err());
        return r.out();
    }

    private String agent(String hv) {
        return "'" + Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent") + "' --backend sim --state '"
                + tmp.resolve(hv) + "' --mem-total 4096 --cpus 4";
    }

    @Test
    void aVmMovesWithItsDiskAndADamagedCopyLeavesItWholeWhereItWas() throws Exception {
        ok("new", "--type", "hv", "hvA", "driver=geats", "agent=" + agent("hvA"));
        ok("new", "--type", "hv", "hvB", "driver=geats", "agent=" + agent("hvB"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ok("new", "--type", "hv", "hvBad", "driver=geats", "agent='" + java + "' -cp '"
                + System.getProperty("java.class.path") + "' vagoth.testing.StreamTamper flip-in 2000 -- "
                + agent("hvC"));
        ok("new", "vm1", "template=debian", "ram=256");
        ok("provision", "--hint", "hvA", "vm1");
        Path file = tmp.resolve("hvA/disks/vm1/data.txt");
        String data = "on vm1's disk\n".repeat(8000); // 112 kB: the changed byte lands in its contents
        Files.writeString(file, data);
        ok("start", "vm1");

        Result damaged = vagoth("migrate", "vm1", "hvBad");
        assertEquals(1, damaged.status(), damaged.toString());
        assertTrue(damaged.err().contains("failed copying its disk from hvA to hvBad")
                && damaged.err().contains("checksum_mismatch")
                && damaged.err().contains("it is whole on hvA, started again on hvA"), damaged.err());
        String vm = ok("list", "vm1");
        assertTrue(vm.contains("parent=hvA") && vm.contains("state=starting"), vm);
        assertEquals(data, Files.readString(file));
        assertEquals("running", JsonText.object(Files.readString(tmp.resolve("hvA/vms/vm1.json"))).get("state")
                .getAsString(), "it runs on its source again");
        try (var left = Files.list(tmp.resolve("hvC/disks"))) {
            assertEquals(0, left.count(), "nothing kept at the damaged copy's end");
        }
        assertTrue(ok("jobs", "--state", "failed").contains("checksum_mismatch"));

        assertEquals("migrate: OK (vm1)", ok("migrate", "vm1", "hvB"));
        assertEquals(data, Files.readString(tmp.resolve("hvB/disks/vm1/data.txt")));
        assertEquals("running", JsonText.object(Files.readString(tmp.resolve("hvB/vms/vm1.json"))).get("state")
                .getAsString());
        assertFalse(Files.exists(tmp.resolve("hvA/disks/vm1")), "its old disk is removed from the source");
        assertFalse(Files.exists(tmp.resolve("hvA/vms/vm1.json")));
        assertTrue(ok("list", "vm1").contains("parent=hvB"));
        String id = ok("jobs", "--limit", "1").lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
        String job = ok("job", id);
        assertTrue(job.contains("disk copied to hvB") && job.contains("checksum verified there")
                && job.contains("removed from hvA"), job);
    }
}
