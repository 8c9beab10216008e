package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.dist.VagothProcess.Result;

/** The safety rules an operator sees from the command line, each on real processes. */
class SafetyIT {
    @TempDir
    Path tmp;

    private Path home() {
        return tmp.resolve("home");
    }

    @AfterEach
    void endWhatRuns() throws Exception {
        VagothProcess.endProcessesOf(home()); // a daemon a test started, and its agents
    }

    private Result vagoth(String... args) throws IOException, InterruptedException {
        return VagothProcess.run(home(), List.of(), args);
    }

    private static String squash(String line) {
        return line.replaceAll(" +", " ");
    }

    private String ok(String... args) throws Exception {
        Result r = vagoth(args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + ": " + r.err());
        return r.out();
    }

    @Test
    @Timeout(120)
    void aNodeArgumentNamesExactlyOneNode() throws Exception {
        ok("new", "a");
        ok("new", "b");
        ok("rename", "a", "x");
        Result r = vagoth("rename", "b", "a");
        assertEquals(1, r.status());
        assertEquals("rename: Name a is already used by node a (as its id) (b)", r.err());
        ok("delete", "a");
        assertFalse(ok("list").contains("x "), "delete a removed the node listed as x");
        assertTrue(ok("list").contains("b "));

        ok("new", "web2");
        ok("rename", "web2", "www2");
        r = vagoth("new", "--name", "web2", "web2b");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("new: Name web2 is already used by node web2"), r.err());
        assertTrue(ok("info", "web2").contains("name:       www2"));
    }

    @Test
    @Timeout(120)
    void valuesCannotForgeOutputLines() throws Exception {
        ok("new", "vm3", "note=fine\nvm4    state=running    type=vm  parent=", "esc=\u001b[2J");
        String list = ok("list");
        assertEquals(2, list.lines().count(), list); // hyper1 and vm3
        assertFalse(ok("info", "vm3").contains("\u001b"));
        assertEquals(1, ok("info", "vm3").lines().filter(l -> l.contains("state=running")).count());
    }

    /** What a lying agent says cannot clear the screen or forge a line, on an error, a poll warning or a state. */
    @Test
    @Timeout(180)
    void anAgentCannotForgeOutput() throws Exception {
        ok("list");
        Path agent = tmp.resolve("liar");
        Files.writeString(agent, "#!/bin/sh\nread r\ncase \"$r\" in\n"
                + "*status*) printf '{\"success\": true, \"data\": {\"vms\": {\"e1\": {\"state\": [\"running\\\\r\\\\u0007bell\","
                + " \"x\"]}, \"bad\\\\u001b[2Jname\": {\"state\": \"running\"}}, \"status\": {}}}\\n';;\n"
                + "*) printf 'boom\\033[2J\\033[31m\\nstart: OK (fake)\\n' >&2; exit 3;;\nesac\n");
        agent.toFile().setExecutable(true);
        ok("new", "--type", "hv", "liar", "driver=geats", "agent=" + agent, "mem_total=4096", "cpus=4");
        ok("new", "e1", "ram=128");
        Result start = vagoth("define", "--hint", "liar", "e1");
        assertEquals(1, start.status(), start.out());
        assertFalse(start.err().contains("\u001b"), start.err());
        assertTrue(start.err().lines().noneMatch(l -> l.startsWith("start: OK")), "no forged line: " + start.err());
        assertTrue(start.err().contains("boom\\u001b[2J\\u001b[31m\\nstart: OK (fake)"), start.err());
        assertEquals(1, start.err().lines().filter(l -> !l.startsWith("vagoth: txid=")).count(), start.err());
        ok("set", "--state", "stopped", "e1");
        Result poll = vagoth("poll");
        assertFalse(poll.out().contains("\u001b") || poll.out().contains("\u0007"), poll.out());
        assertTrue(poll.out().contains("liar reports e1 in state 'running\\r\\u0007bell', which is not a state"
                + " Vagoth knows; not stored"), poll.out());
        assertTrue(ok("list", "e1").contains("state=stopped"), "the made-up state was not stored");
        String log = Files.readString(home().resolve("var/log/vagoth.log"));
        assertFalse(log.contains("\u001b") || log.contains("\u0007"), "the log holds no control character");
    }

    @Test
    @Timeout(180)
    void migrateObeysTheRulesDefineObeysAndARefusalChangesNothing() throws Exception {
        ok("list");
        Path agent = Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent");
        ok("new", "--type", "hv", "hv2", "driver=geats", "agent_session=true", "mem_total=4096", "cpus=4",
                "agent='" + agent + "' --backend sim --state '" + tmp.resolve("sim-hv2") + "' --mem-total 4096 --cpus 4");
        ok("maintenance", "hv2", "on");
        ok("new", "vm1", "ram=256");
        ok("define", "--hint", "hyper1", "vm1");
        String before = ok("list", "vm1");
        Result r = vagoth("migrate", "vm1", "hv2");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("hv2 is in maintenance"), r.err());
        assertEquals(before, ok("list", "vm1"), "a refused migration changed the VM");
        ok("new", "vm2", "ram=256");
        r = vagoth("define", "--hint", "hv2", "vm2");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("hv2 is in maintenance"), r.err());
        assertEquals("vm2         state=unknown    type=vm  parent=", ok("list", "vm2"), "a refused placement left it as it was");
    }

    @Test
    @Timeout(120)
    void theHomeIsOwnerOnlyWhateverTheUmask() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "umask 022; exec \"$0\" new a",
                Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth").toString());
        pb.environment().put("VAGOTH_HOME", home().toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        try (Stream<Path> all = Files.walk(home())) {
            for (Path f : all.toList()) {
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
                assertTrue(perms.endsWith("------"), f + " is " + perms);
            }
        }
    }

    @Tag("root") // gives a home to another user
    @Test
    @Timeout(120)
    void anotherUsersHomeIsRefusedUnlessAllowed() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to give the home to another user (nobody)");
        ok("new", "a");
        UserPrincipal nobody = home().getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        try (Stream<Path> all = Files.walk(home())) {
            for (Path f : all.toList()) {
                Files.setOwner(f, nobody);
            }
        }
        Result r = vagoth("poll");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("vagoth: VAGOTH_HOME " + home() + " belongs to nobody, not to root: refusing"),
                r.err());
        try (Stream<Path> all = Files.walk(home())) {
            for (Path f : all.toList()) {
                assertEquals("nobody", Files.getOwner(f).getName(), f + " changed owner");
            }
        }
        Result allowed = VagothProcess.run(home(), List.of("env", "VAGOTH_ALLOW_OTHER_OWNER=1"), "list", "a");
        assertEquals(0, allowed.status(), allowed.err());
    }

    /** The whole life of a hypervisor that stops answering, on the real agent, as an operator lives it. */
    @Test
    @Timeout(300)
    void aHostThatStopsAnsweringLosesItsVmsUntilFencedAndNothingRunsTwice() throws Exception {
        ok("list");
        Files.writeString(home().resolve("etc/vagoth.monitor.cfg"), "grace.s = 0\ninterval.s = 0\n");
        ok("daemon", "start"); // the commands below go through it, as an operator's would; it polls when they say
        Path down = tmp.resolve("hv2-is-down");
        Path agent = tmp.resolve("hv2-agent");
        Files.writeString(agent, "#!/bin/sh\n[ -e '" + down + "' ] && { echo 'ssh: connect to host hv2: No route to host'"
                + " >&2; exit 255; }\nexec '" + Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent")
                + "' --backend sim --state '" + tmp.resolve("sim-hv2") + "' --mem-total 4096 --cpus 4 \"$@\"\n");
        agent.toFile().setExecutable(true);
        ok("new", "--type", "hv", "hv2", "driver=geats", "agent=" + agent, "mem_total=4096", "cpus=4");
        ok("new", "vm1", "ram=128");
        ok("new", "vm2", "ram=128");
        ok("define", "--hint", "hv2", "vm1");
        ok("define", "--hint", "hv2", "vm2");
        ok("start", "vm1");
        ok("start", "vm2");
        ok("poll");
        assertEquals("vm1 state=running type=vm parent=hv2", squash(ok("list", "vm1")));

        Files.createFile(down);
        Result poll = vagoth("poll", "--verbose");
        assertEquals(0, poll.status(), poll.err());
        assertTrue(poll.out().contains("vm1: running -> lost"), poll.out());
        assertEquals("vm1 state=lost type=vm parent=hv2", squash(ok("list", "vm1")));
        Result start = vagoth("start", "vm1");
        assertEquals(1, start.status());
        assertTrue(start.err().contains("start: vm1 is lost: its hypervisor hv2 has not answered since"), start.err());
        assertEquals(1, vagoth("migrate", "vm1", "hyper1").status());
        assertEquals("vm1 state=lost type=vm parent=hv2", squash(ok("list", "vm1")), "nothing moved it");

        assertEquals("fence: OK (hv2); released vm1 vm2 (they may be started elsewhere now)", ok("fence", "hv2"));
        assertEquals("vm1 state=unassigned type=vm parent=", squash(ok("list", "vm1")));
        assertTrue(ok("info", "vm1").contains("last_host=hv2"));
        Result onFenced = vagoth("define", "--hint", "hv2", "vm1");
        assertTrue(onFenced.err().contains("hv2 is fenced"), onFenced.err());
        ok("start", "vm1");
        ok("poll");
        assertEquals("vm1 state=running type=vm parent=hyper1", squash(ok("list", "vm1")));

        Files.delete(down); // hv2 comes back, still running both its copies
        poll = vagoth("poll");
        assertEquals(0, poll.status(), poll.err());
        assertTrue(poll.out().contains("poll: warning: duplicate: fenced hv2 still runs vm1 (running); it now runs on"
                + " hyper1."), poll.out());
        assertTrue(poll.out().contains("poll: warning: duplicate: fenced hv2 still runs vm2 (running); it was released"
                + " when hv2 was fenced and runs nowhere else."), poll.out());
        assertEquals("vm1 state=running type=vm parent=hyper1", squash(ok("list", "vm1")), "nothing was moved");
        assertTrue(ok("listhv").lines().anyMatch(l -> l.startsWith("hv2") && l.endsWith("fenced")));
        for (String[] cmd : List.of(new String[] {"start", "vm2"}, new String[] {"define", "vm2"},
                new String[] {"migrate", "vm1", "hyper1"})) {
            Result refused = vagoth(cmd);
            assertEquals(1, refused.status(), String.join(" ", cmd) + ": " + refused.out());
            assertTrue(refused.err().contains(cmd[1] + " still runs on fenced hv2 (its last poll reported it)"),
                    refused.err());
        }
        assertEquals("vm2 state=unassigned type=vm parent=", squash(ok("list", "vm2")), "vm2 runs on one host only");
        String log = Files.readString(home().resolve("var/log/vagoth.log"));
        assertTrue(log.contains("monitor: duplicate: fenced hv2 still runs vm2"), "the warning is in the log");
        assertTrue(log.contains("monitor: fenced hv2 answers again"), "the warning is in the log");

        Result unfence = vagoth("unfence", "hv2");
        assertEquals(1, unfence.status());
        assertTrue(unfence.err().contains("unfence: hv2 still runs copies of vm1, vm2"), unfence.err());
        assertEquals("fence: hv2 stays fenced; stopped its copies of vm1 vm2", ok("fence", "--stop-duplicates", "hv2"));
        assertTrue(ok("listhv").lines().anyMatch(l -> l.startsWith("hv2") && l.endsWith("fenced")), "still fenced");
        poll = vagoth("poll");
        assertFalse(poll.out().contains("duplicate"), poll.out());
        assertEquals("unfence: OK (hv2)", ok("unfence", "hv2"));
        ok("poll");
        assertEquals("vm1 state=running type=vm parent=hyper1", squash(ok("list", "vm1")), "the real one runs on");
        assertEquals("vm2 state=stopped type=vm parent=hv2", squash(ok("list", "vm2")),
                "the stopped copy on the unfenced host is vm2 again, stopped");
        ok("start", "vm2");
    }

    /**
     * A registry directory that is gone (deleted, or a file system not
     * mounted) is refused on every path, never taken for a new, empty
     * registry; only 'reset-store' gives it up, saying what is lost.
     */
    @Test
    @Timeout(300)
    void aLostRegistryIsRefusedNeverTakenForAnEmptyOne() throws Exception {
        ok("new", "web1", "template=debian");
        assertTrue(ok("info", "web1").contains("ip=10.0.0.10"));
        Path registry = home().resolve("var/registry");
        Path aside = tmp.resolve("registry-aside");
        Files.move(registry, aside); // as if its file system was not mounted

        Result oneShot = vagoth("new", "newvm", "template=debian");
        Result daemon = vagoth("daemon"); // a daemon does not start on it
        for (Result r : List.of(oneShot, daemon)) {
            assertEquals(1, r.status(), r.out());
            assertTrue(r.err().contains("The registry at " + registry + " is missing, but this home made one there"),
                    r.err());
            assertTrue(r.err().contains("run 'vagoth reset-store registry'"), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
        assertFalse(Files.exists(registry), "no empty registry was made in its place");
        assertTrue(Files.exists(home().resolve("var/dnsmasq/hosts.d/web1")), "DNS kept every entry");

        Files.move(aside, registry); // mounted again: all is as it was
        assertTrue(ok("info", "web1").contains("ip=10.0.0.10"));
        assertTrue(ok("new", "newvm", "template=debian").contains("new: OK"));
        assertTrue(ok("info", "newvm").contains("ip=10.0.0.11"), "the taken address is not handed out again");

        Files.writeString(home().resolve("etc/vagoth.registry.file.cfg"), "directory = " + tmp.resolve("not-mounted")
                + "\n");
        Result elsewhere = vagoth("list");
        assertEquals(1, elsewhere.status(), elsewhere.out());
        assertTrue(elsewhere.err().contains("The registry at " + tmp.resolve("not-mounted") + " is missing"),
                elsewhere.err());
        Files.delete(home().resolve("etc/vagoth.registry.file.cfg"));

        Files.move(registry, aside);
        Result reset = vagoth("reset-store", "registry");
        assertEquals(0, reset.status(), reset.err());
        assertTrue(reset.out().contains("is given up; the next command makes a new, empty one there"), reset.out());
        assertTrue(ok("list").isBlank() || !ok("list").contains("web1"), "a new, empty registry");
        Result again = vagoth("reset-store", "registry");
        assertEquals(1, again.status());
        assertTrue(again.err().contains("is there and is this home's"), again.err());
    }

    /** A one-shot migrate killed at the worst moment: poll finds the VM where it is, and the job says how far it got. */
    @Test
    @Timeout(300)
    void aMigrationKilledHalfWayIsRepairedByPoll() throws Exception {
        ok("list");
        Path real = Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent");
        Path calls = tmp.resolve("hv3-calls");
        Path slow = tmp.resolve("hv3-agent");
        Files.writeString(slow, "#!/bin/sh\nreq=$(cat)\necho \"$req\" >> '" + calls + "'\n"
                + "case \"$req\" in *'\"action\":\"define\"'*) sleep 3;; esac\n"
                + "printf '%s\\n' \"$req\" | '" + real + "' --backend sim --state '" + tmp.resolve("sim-hv3")
                + "' --mem-total 4096 --cpus 4\nstatus=$?\necho finished >> '" + calls + "'\nexit $status\n");
        slow.toFile().setExecutable(true);
        ok("new", "--type", "hv", "hv2", "driver=geats", "mem_total=4096", "cpus=4", "shared_storage=san1",
                "agent='" + real + "' --backend sim --state '" + tmp.resolve("sim-hv2") + "' --mem-total 4096 --cpus 4");
        ok("new", "--type", "hv", "hv3", "driver=geats", "mem_total=4096", "cpus=4", "shared_storage=san1", "agent=" + slow);
        Files.deleteIfExists(calls); // hv3 answered its first poll: only the migration's calls count
        ok("new", "vm1", "ram=128");
        ok("define", "--hint", "hv2", "vm1");

        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth").toString(),
                "migrate", "vm1", "hv3").redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", home().toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        Process migrate = pb.start();
        for (int i = 0; i < 1500 && !(Files.exists(calls) && Files.readString(calls).contains("\"action\":\"define\""));
                i++) {
            Thread.sleep(20);
        }
        migrate.toHandle().destroyForcibly(); // kill -9 between undefining on hv2 and defining on hv3
        migrate.waitFor();
        assertEquals("vm1 state=migrating type=vm parent=hv3", squash(ok("list", "vm1")));
        for (int i = 0; i < 500 && !Files.readString(calls).contains("finished"); i++) {
            Thread.sleep(20); // the agent's define goes on: it was never killed
        }
        Result poll = vagoth("poll", "--verbose");
        assertTrue(poll.out().contains("vm1: an interrupted migration is resolved: found on hv3 (stopped)"), poll.out());
        assertEquals("vm1 state=stopped type=vm parent=hv3", squash(ok("list", "vm1")));

        String id = ok("jobs", "--node", "vm1").lines().filter(l -> l.contains("migrate")).findFirst().orElseThrow()
                .split("\\s+")[0];
        String job = ok("job", id);
        assertTrue(job.contains("interrupted"), job);
        assertTrue(job.contains("steps:\n    migrating from hv2 to hv3\n    undefined on hv2\n    assigned to hv3"), job);
    }
}
