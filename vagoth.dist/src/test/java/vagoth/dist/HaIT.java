package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import vagoth.dist.VagothProcess.Result;

/**
 * High availability on real agent processes (the sim back end): three hosts
 * sharing storage, each reached through a script that stops answering once
 * the test "kills" its host; a fence script that powers a host off (its
 * guests gone) and records each time it ran, or fails, or lies. Polls are
 * run by the test ({@code vagoth poll}) through a daemon that polls only then, so every step is seen, except where
 * a daemon is cut off from its hosts in a network namespace of its own.
 */
@Timeout(300)
class HaIT {
    @TempDir
    Path dir;
    private Path home;

    @BeforeEach
    void fleet() throws Exception {
        home = dir.resolve("home");
        ok("list"); // the home, with its defaults
        Path agent = Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent");
        script("agent", "if [ -e \"$d/$1.dead\" ]; then echo \"ssh: connect to host $1: No route to host\" >&2; exit 255;"
                + " fi\nexec '" + agent + "' --backend sim --state \"$d/$1\" --mem-total \"$(cat \"$d/$1.mem\" 2>/dev/null"
                + " || echo 16384)\" --cpus 8");
        script("fence", "echo \"$1\" >> \"$d/fenced.log\"\n"
                + "if [ -e \"$d/fence-fails\" ]; then echo \"the BMC of $1 does not answer\"; exit 1; fi\n"
                + "touch \"$d/$1.dead\"\n"
                + "[ -e \"$d/fence-lies\" ] || rm -f \"$d/$1/vms/\"*.json # powered off: its guests are gone");
        append("vagoth.virt.cfg", "fence.command = '" + dir.resolve("fence") + "' {name}");
        append("vagoth.monitor.cfg", "grace.s = 0\ninterval.s = 0"); // polls are the test's
        append("vagoth.ha.cfg", "min.missed.polls = 2\nbackoff.s = 1");
        ok("maintenance", "hyper1", "on"); // the home's own host answers, and takes nothing of this test
        for (String hv : List.of("h1", "h2", "h3")) {
            ok("new", "--type", "hv", hv, "driver=geats", "shared_storage=san1", "agent=/bin/sh '" + dir.resolve("agent")
                    + "' " + hv);
        }
        ok("daemon", "start"); // the commands run through it: what an operator's would do, without a JVM's start each
    }

    @AfterEach
    void stop() throws Exception {
        VagothProcess.endProcessesOf(home);
    }

    private void script(String name, String body) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, "#!/bin/sh\nd='" + dir + "'\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
    }

    private void append(String cfg, String lines) throws IOException {
        Files.writeString(home.resolve("etc").resolve(cfg), "\n" + lines + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private String ok(String... args) throws Exception {
        Result r = VagothProcess.run(home, List.of(), args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + ": " + r.err() + r.out());
        return r.out();
    }

    /** A VM of 1 GiB running on {@code hv}; with {@code priority}, asking for recovery. */
    private void running(String vm, String hv, Integer priority) throws Exception {
        ok("new", vm, "ram=1024");
        if (priority != null) {
            assertTrue(ok("ha", "--priority", String.valueOf(priority), vm, "on").startsWith("ha: " + vm
                    + " is restarted elsewhere when its host dies"));
        }
        ok("define", "--hint", hv, vm);
        ok("start", vm);
    }

    private void kill(String hv) throws IOException {
        Files.createFile(dir.resolve(hv + ".dead"));
    }

    private String row(String vm) throws Exception {
        return ok("list", vm).replaceAll(" +", " ");
    }

    /** The start jobs of {@code vm}, oldest first, as "source id". */
    private List<JsonObject> starts(String vm) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(ok("jobs", "--node", vm, "--json")).getAsJsonArray()) {
            JsonObject j = e.getAsJsonObject();
            if (j.get("action").getAsString().equals("start")) {
                out.add(0, j);
            }
        }
        return out;
    }

    /** The hosts whose simulated state holds {@code vm}. */
    private List<String> holding(String vm) {
        return List.of("h1", "h2", "h3", "n1", "n2", "n3").stream().filter(hv -> Files.exists(dir.resolve(hv)
                .resolve("vms").resolve(vm + ".json"))).toList();
    }

    private String fenced() throws IOException {
        Path log = dir.resolve("fenced.log");
        return Files.exists(log) ? Files.readString(log).strip() : "";
    }

    @Test
    void aDeadHostsHaVmsRunOnTheOthersOnceInPriorityOrderAndTheRestStay() throws Exception {
        running("web1", "h1", 10);
        running("db1", "h1", 0);
        running("web2", "h1", 50);
        running("plain1", "h1", null);
        kill("h1");

        Result first = VagothProcess.run(home, List.of(), "poll");
        assertEquals("", fenced(), "one missed poll is a blink: nothing is fenced");
        assertTrue(row("db1").contains("state=lost"), row("db1"));

        String second = ok("poll", "--verbose");
        assertEquals("h1", fenced(), "fenced once, by its fence command");
        ok("poll"); // the restarted VMs seen running
        for (String vm : List.of("db1", "web1", "web2")) {
            assertTrue(row(vm).matches(vm + " state=running type=vm parent=h[23]"), row(vm));
            assertEquals(1, holding(vm).size(), vm + " runs on one host: " + holding(vm));
            List<JsonObject> starts = starts(vm);
            assertEquals(2, starts.size(), "started by the operator, then once by recovery: " + starts);
            assertEquals("ha", starts.get(1).get("source").getAsString());
        }
        assertTrue(second.contains("h1: fenced by its fence command (ha)") && second.contains("web2: restarted on h"),
                second + first.out());
        // highest priority first: web2 (50), web1 (10), db1 (0)
        java.time.Instant before = java.time.Instant.MIN;
        for (String vm : List.of("web2", "web1", "db1")) {
            java.time.Instant created = java.time.Instant.parse(starts(vm).get(1).get("created").getAsString());
            assertTrue(created.isAfter(before), vm + " was recovered after the VMs of higher priority");
            before = created;
        }
        assertTrue(row("plain1").startsWith("plain1 state=unassigned"), "a VM that does not ask stays for the"
                + " operator: " + row("plain1"));
        assertEquals(1, starts("plain1").size());

        // another pass restarts nothing again
        ok("poll");
        for (String vm : List.of("db1", "web1", "web2")) {
            assertEquals(2, starts(vm).size(), vm + " was started once by recovery");
        }
        assertEquals("h1", fenced());
        String status = ok("ha", "status");
        assertTrue(status.contains("ha: 3 VMs restarted elsewhere when their host dies"), status);
        assertTrue(status.lines().dropWhile(l -> !l.startsWith("ha: 3 VMs")).skip(1).findFirst().orElse("")
                .contains("web2"), "highest priority first: " + status);
        assertTrue(status.contains("relocations=1") && status.contains("recovered on h"), status);
    }

    @Test
    void aFenceThatFailsRestartsNothingSaysWhyAndIsTriedAgain() throws Exception {
        running("db1", "h1", 5);
        Files.createFile(dir.resolve("fence-fails"));
        kill("h1");
        ok("poll");
        Result second = VagothProcess.run(home, List.of(), "poll");
        assertEquals("h1", fenced(), "the fence was tried");
        assertTrue(second.out().contains("h1 is not fenced, so none of its VMs is restarted elsewhere: the fence"
                + " command failed (exit status 1): the BMC of h1 does not answer"), second.out() + second.err());
        assertEquals("db1 state=lost type=vm parent=h1", row("db1"));
        assertEquals(1, starts("db1").size(), "nothing restarted");
        String status = ok("ha", "status");
        assertTrue(status.contains("host h1 (unreachable) is not fenced: the fence command failed"), status);

        Files.delete(dir.resolve("fence-fails")); // the BMC answers again
        Thread.sleep(1100); // the backoff (1 s)
        ok("poll");
        assertEquals("h1\nh1", fenced());
        ok("poll");
        assertTrue(row("db1").matches("db1 state=running type=vm parent=h[23]"), row("db1"));
        assertFalse(ok("ha", "status").contains("is not fenced"));
    }

    @Test
    void aDaemonThatReachesNoMoreThanHalfOfItsHostsFencesNothing() throws Exception {
        running("db1", "h1", 5);
        kill("h1");
        kill("h2"); // with hyper1 and h3 answering: 2 of 4, not a majority
        ok("poll");
        String second = ok("poll");
        assertEquals("", fenced());
        assertTrue(second.contains("it may be the one cut off, so it fences nothing"), second);
        assertEquals("db1 state=lost type=vm parent=h1", row("db1"));
    }

    @Test
    void aVmWithNoRoomStaysWithItsReasonAndTheOthersAreRestarted() throws Exception {
        Files.writeString(dir.resolve("h2.mem"), "1536");
        Files.writeString(dir.resolve("h3.mem"), "1536"); // room for one VM of 1 GiB each
        running("a1", "h1", 3);
        running("a2", "h1", 2);
        running("a3", "h1", 1);
        ok("poll"); // the hosts' memory as they report it
        kill("h1");
        ok("poll");
        Result second = VagothProcess.run(home, List.of(), "poll");
        ok("poll");
        assertTrue(row("a1").contains("state=running") && row("a2").contains("state=running"), second.out());
        assertTrue(row("a3").startsWith("a3 state=unassigned"), row("a3"));
        String status = ok("ha", "status");
        Matcher failed = Pattern.compile("a3 .* restarts_left=(\\d) .*start failed \\(([12]) of 3\\).*No hypervisor"
                + " can take a3").matcher(status);
        assertTrue(failed.find(), status);
        assertEquals(3 - Integer.parseInt(failed.group(2)), Integer.parseInt(failed.group(1)), "the starts it has left");
        assertTrue(status.startsWith("ha: manager ") && status.contains(": fences a host unreachable for 0 s and 2 polls"
                + " in a row; 3 starts and 5 relocations per VM; last pass ") && status.contains(" over h1 h2 h3"), status);
        assertEquals(List.of(), holding("a3"));
    }

    @Test
    void aFencedHostThatComesBackRunningAVmIsReportedAndTheVmRunsOnce() throws Exception {
        running("db1", "h1", 5);
        Files.createFile(dir.resolve("fence-lies")); // "powered off", but its guests ran on
        kill("h1");
        ok("poll");
        ok("poll");
        ok("poll");
        Matcher now = Pattern.compile("db1 state=running type=vm parent=(h[23])").matcher(row("db1"));
        assertTrue(now.find(), row("db1"));
        Files.delete(dir.resolve("h1.dead")); // it answers again, still running its copy
        Result back = VagothProcess.run(home, List.of(), "poll");
        assertTrue(back.out().contains("duplicate: fenced h1 still runs db1"), back.out());
        assertTrue(row("db1").contains("parent=" + now.group(1)), "not moved back: " + row("db1"));
        assertEquals(2, starts("db1").size(), "started once by the operator, once by recovery");
        ok("poll");
        assertEquals(2, starts("db1").size());

        // the copy is stopped on the operator's word only; h1 stays fenced
        assertEquals("fence: h1 stays fenced; stopped its copies of db1", ok("fence", "--stop-duplicates", "h1"));
        assertFalse(ok("poll").contains("duplicate"), "no copy runs on h1 any more");
        assertTrue(ok("listhv", "h1").contains("fenced"), ok("listhv", "h1"));
        assertTrue(row("db1").contains("state=running") && row("db1").contains("parent=" + now.group(1)), row("db1"));
        assertEquals(2, starts("db1").size(), "nothing was started by it");
    }

    /**
     * The daemon is the one cut off: it runs in a network namespace of its
     * own (unshare --net), its hosts' agents are reached over TCP (busybox
     * nc, one listener per host), and once it is started every host looks
     * dead to it. It fences nothing and restarts nothing, however long it
     * polls; back on the network, everything is where it was.
     */
    @Tag("root") // a network namespace
    @Test
    void aDaemonCutOffFromEveryHostInANetworkNamespaceOfItsOwnFencesNothing() throws Exception {
        assumeTrue(runs("id -u").equals("0") && !runs("command -v unshare busybox").isEmpty(),
                "needs root, unshare (util-linux) and busybox (busybox-static) for a network namespace and nc");
        ok("daemon", "stop"); // this test's daemon is one cut off from the network
        for (String hv : List.of("hyper1", "h1", "h2", "h3")) { // this test's hosts are reached over the network
            ok("delete", hv);
        }
        List<Process> listeners = new ArrayList<>();
        Process daemon = null;
        try {
            for (String hv : List.of("n1", "n2", "n3")) {
                script("serve-" + hv, "exec /bin/sh '" + dir.resolve("agent") + "' " + hv);
                int port;
                try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                    port = free.getLocalPort();
                }
                listeners.add(new ProcessBuilder("busybox", "nc", "-ll", "-p", String.valueOf(port), "-e",
                        dir.resolve("serve-" + hv).toString()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve(hv + "-listener.log").toFile()).start());
                ok("new", "--type", "hv", hv, "driver=geats", "shared_storage=san1", "agent=busybox nc -w 2 127.0.0.1 "
                        + port);
            }
            running("db1", "n1", 5);
            running("web1", "n2", 1);
            ok("poll");
            assertTrue(row("db1").contains("state=running"), "reached over TCP: " + row("db1"));
            append("vagoth.monitor.cfg", "interval.s = 1");

            ProcessBuilder pb = new ProcessBuilder("unshare", "--net", "--", Path.of(System.getProperty("vagoth.dist"),
                    "bin", "vagoth").toString(), "daemon").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("daemon.log").toFile());
            pb.environment().put("VAGOTH_HOME", home.toString());
            pb.environment().put("VAGOTH_NO_AUTOSTART", "1");
            daemon = pb.start();
            // its polls go on: wait until every host has missed two more than recovery waits for
            for (int i = 0; i < 600 && !missedAtLeast(4); i++) {
                assertTrue(daemon.isAlive(), () -> "the daemon ended: " + read(dir.resolve("daemon.log")));
                Thread.sleep(100);
            }
            assertTrue(missedAtLeast(4), "the daemon polled, finding no host: " + ok("listhv"));
            assertEquals("", fenced(), "a daemon that reaches no host fences none");
            assertTrue(read(home.resolve("var/log/vagoth.log")).contains("it may be the one cut off, so it fences"
                    + " nothing"), read(home.resolve("var/log/vagoth.log")));
            assertEquals("db1 state=lost type=vm parent=n1", row("db1"));
            assertEquals(1, starts("db1").size(), "not restarted");
            assertEquals(1, starts("web1").size(), "not restarted");
            String status = ok("ha", "status"); // the daemon's: the manager of the hosts it polls
            assertTrue(status.matches("(?s)ha: manager \\S+ pid \\d+: .*; last pass \\S+ over n1 n2 n3\n.*"), status);
            assertTrue(status.matches("(?s).*db1 .*priority=5 .*lost .*host=n1 .*restarts_left=3.*"), status);
            assertTrue(status.contains("host n1 (unreachable) is not fenced: this daemon reached 0 of the 3"
                    + " hypervisors: it may be the one cut off"), status);
            assertEquals(List.of("n1"), holding("db1"));
            assertEquals(List.of("n2"), holding("web1"));

            daemon.destroy(); // back on the network: a poll from here finds everything where it was
            assertTrue(daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the daemon did not end");
            ok("poll");
            assertEquals("db1 state=running type=vm parent=n1", row("db1"));
            assertEquals("web1 state=running type=vm parent=n2", row("web1"));
        } finally {
            if (daemon != null) {
                daemon.destroyForcibly();
            }
            for (Process l : listeners) {
                l.destroyForcibly();
            }
        }
    }

    /** Whether the daemon has counted at least {@code n} missed polls of every host. */
    private boolean missedAtLeast(int n) throws Exception {
        for (String hv : List.of("n1", "n2", "n3")) {
            JsonObject meta = JsonParser.parseString(ok("info", "--json", hv)).getAsJsonObject()
                    .getAsJsonObject("metadata");
            JsonElement missed = meta.get("missed_polls");
            if (missed == null || missed.getAsInt() < n) {
                return false;
            }
        }
        return true;
    }

    /** A file's text for a failure's message: "" when it cannot be read. */
    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "(" + f + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** What a shell command prints, stripped ("" when it fails). */
    private static String runs(String command) throws Exception {
        VagothProcess.Result r = VagothProcess.ended(new ProcessBuilder("/bin/sh", "-c", command).start(), 60, command);
        return r.status() == 0 ? r.out().strip() : "";
    }
}
