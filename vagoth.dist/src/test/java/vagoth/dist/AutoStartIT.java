package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/vagoth <command>} starts the home's daemon when none runs and
 * runs the command through it: once, even for two first commands at once;
 * {@code daemon status} and {@code daemon stop}; the idle exit;
 * {@code --no-daemon} and {@code VAGOTH_NO_DAEMON=1}.
 */
@Timeout(300)
class AutoStartIT {
    private static final String STARTED = "vagoth: started a daemon for ";
    @TempDir
    Path dir;

    private Path home() {
        return dir.resolve("home");
    }

    private Path pidFile() {
        return home().resolve("var/run/vagoth.pid");
    }

    private Optional<ProcessHandle> daemon() {
        try {
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile()).strip())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whatever daemons a test left, even ones a failing test started beside the one in the pid file. */
    @AfterEach
    void stopDaemons() throws Exception {
        VagothProcess.endProcessesOf(home());
    }

    private Process start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", home().toString());
        pb.environment().remove("VAGOTH_NO_DAEMON");
        pb.environment().remove("VAGOTH_NO_AUTOSTART");
        pb.environment().remove("VAGOTH_JAVA_OPTS");
        pb.environment().putAll(env);
        return pb.start();
    }

    private static VagothProcess.Result result(Process p) throws Exception {
        // the daemon it starts does not hold these pipes: one that did would fail this
        VagothProcess.Result r = VagothProcess.ended(p, 120, "bin/vagoth");
        return new VagothProcess.Result(r.status(), r.out().strip(), r.err().strip());
    }

    private VagothProcess.Result vagoth(String... args) throws Exception {
        return result(start(Map.of(), args));
    }

    @Test
    void theFirstCommandStartsTheDaemonAndTheNextOnesUseIt() throws Exception {
        VagothProcess.Result first = vagoth("new", "vm1");
        assertEquals(0, first.status(), first.toString());
        assertTrue(first.err().contains(STARTED + home()), first.err());
        assertTrue(first.err().contains("'vagoth daemon stop' stops it"), first.err());
        ProcessHandle d = daemon().orElseThrow(() -> new AssertionError("no daemon runs"));

        VagothProcess.Result second = vagoth("list", "vm1");
        assertEquals(0, second.status(), second.toString());
        assertTrue(second.out().contains("vm1"), second.out());
        assertFalse(second.err().contains(STARTED), "said once: " + second.err());
        assertEquals(Optional.of(d.pid()), daemon().map(ProcessHandle::pid), "the same daemon");

        VagothProcess.Result status = vagoth("daemon", "status");
        assertEquals(0, status.status(), status.toString());
        assertTrue(status.out().startsWith("vagoth: a daemon serves " + home() + " (pid " + d.pid()), status.out());

        VagothProcess.Result stop = vagoth("daemon", "stop");
        assertEquals(new VagothProcess.Result(0, "vagoth: stopped the daemon of " + home() + " (pid " + d.pid() + ")",
                ""), stop);
        assertFalse(d.isAlive(), "the daemon is gone");
        assertFalse(Files.exists(home().resolve("var/run/vagoth.sock")), "and its socket");
        VagothProcess.Result none = vagoth("daemon", "status");
        assertEquals(new VagothProcess.Result(1, "vagoth: no daemon serves " + home(), ""), none);
        assertEquals(0, vagoth("daemon", "stop").status(), "stopping what is stopped is fine");
    }

    @Test
    void daemonStartStartsOneInTheBackgroundOnce() throws Exception {
        VagothProcess.Result start = vagoth("daemon", "start");
        assertEquals(0, start.status(), start.toString());
        assertTrue(start.err().contains(STARTED + home()), start.err());
        ProcessHandle d = daemon().orElseThrow(() -> new AssertionError("no daemon runs"));
        VagothProcess.Result again = vagoth("daemon", "start");
        assertEquals(0, again.status(), again.toString());
        assertTrue(again.out().startsWith("vagoth: a daemon serves " + home() + " (pid " + d.pid()), again.out());
        assertFalse(again.err().contains(STARTED), again.err());
        VagothProcess.Result help = vagoth("-h");
        assertEquals(0, help.status(), help.toString());
        assertTrue(help.out().contains("daemon [start | status | stop]"), help.out());
    }

    @Test
    void firstCommandsAtOnceStartOneDaemon() throws Exception {
        List<Process> all = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d")) {
            all.add(start(Map.of(), "new", name));
        }
        int told = 0;
        for (Process p : all) {
            VagothProcess.Result r = result(p);
            assertEquals(0, r.status(), r.toString());
            told += r.err().contains(STARTED) ? 1 : 0;
        }
        assertEquals(1, told, "one of them started the daemon and said so");
        ProcessHandle d = daemon().orElseThrow(() -> new AssertionError("no daemon runs"));
        String out = Files.readString(home().resolve("var/log/daemon.out"));
        assertEquals(1, out.split("vagoth: daemon serving ", -1).length - 1, "one daemon ever served: " + out);
        VagothProcess.Result list = vagoth("list");
        for (String name : List.of("a", "b", "c", "d")) {
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(name + " ")), name + " in " + list.out());
        }
        assertEquals(Optional.of(d.pid()), daemon().map(ProcessHandle::pid));
    }

    @Test
    void noDaemonRunsTheCommandHereAndStartsNone() throws Exception {
        VagothProcess.Result flag = vagoth("--no-daemon", "new", "vm1");
        assertEquals(0, flag.status(), flag.toString());
        assertFalse(flag.err().contains(STARTED), flag.err());
        assertFalse(Files.exists(pidFile()), "no daemon was started");
        VagothProcess.Result env = result(start(Map.of("VAGOTH_NO_DAEMON", "1"), "list", "vm1"));
        assertEquals(0, env.status(), env.toString());
        assertTrue(env.out().contains("vm1"), env.out());
        assertFalse(Files.exists(pidFile()), "no daemon was started");
        assertFalse(Files.exists(home().resolve("var/run/vagoth.sock")));
        VagothProcess.Result version = vagoth("--version");
        assertEquals(0, version.status(), version.toString());
        assertFalse(Files.exists(pidFile()), "--version needs no daemon");
    }

    /**
     * {@code --no-daemon} and {@code VAGOTH_NO_DAEMON=1} run the command here even while a daemon serves the home:
     * one that is stopped (SIGSTOP), which would hold a command sent to it, does not hold these.
     * {@code VAGOTH_NO_AUTOSTART=1} uses the daemon that runs and starts none.
     */
    @Test
    @org.junit.jupiter.api.Timeout(180)
    void noDaemonRunsHereEvenWhileADaemonServesTheHome() throws Exception {
        VagothProcess.Result auto = result(start(Map.of("VAGOTH_NO_AUTOSTART", "1"), "new", "vm1"));
        assertEquals(0, auto.status(), auto.toString());
        assertFalse(Files.exists(pidFile()), "VAGOTH_NO_AUTOSTART starts no daemon");
        assertEquals(0, vagoth("daemon", "start").status());
        ProcessHandle d = daemon().orElseThrow(() -> new AssertionError("no daemon runs"));
        VagothProcess.Result through = result(start(Map.of("VAGOTH_NO_AUTOSTART", "1", "VAGOTH_TRACE", "1"), "list",
                "vm1"));
        assertTrue(through.out().contains("vm1") && !through.err().contains("configuration checked"),
                "through the daemon (no container started here): " + through);
        Process stop = new ProcessBuilder("kill", "-STOP", String.valueOf(d.pid())).start();
        assertEquals(0, stop.waitFor());
        try {
            for (Map<String, String> env : List.of(Map.of("VAGOTH_TRACE", "1"), Map.of("VAGOTH_NO_DAEMON", "1",
                    "VAGOTH_TRACE", "1"))) {
                List<String> args = env.containsKey("VAGOTH_NO_DAEMON") ? List.of("list", "vm1")
                        : List.of("--no-daemon", "list", "vm1");
                Path out = dir.resolve("out");
                Process p = start(env, args.toArray(String[]::new));
                p.getOutputStream().close();
                // read on other threads: a command that hangs must fail this test, not hang it
                java.util.concurrent.CompletableFuture<byte[]> o = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> readAll(p.getInputStream()));
                java.util.concurrent.CompletableFuture<byte[]> e = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> readAll(p.getErrorStream()));
                boolean ended = p.waitFor(60, TimeUnit.SECONDS);
                if (!ended) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
                assertTrue(ended, args + " " + env + " waited for the stopped daemon");
                String said = new String(o.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
                String err = new String(e.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
                assertEquals(0, p.exitValue(), err);
                assertTrue(said.contains("vm1") && err.contains("configuration checked"),
                        "run in a container of its own: " + said + err);
                Files.deleteIfExists(out);
            }
        } finally {
            new ProcessBuilder("kill", "-CONT", String.valueOf(d.pid())).start().waitFor();
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Test
    void firstCommandsWithoutADaemonAtOnceShareTheNewHome() throws Exception {
        List<Process> all = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d")) {
            all.add(start(Map.of("VAGOTH_NO_DAEMON", "1"), "new", name));
        }
        for (Process p : all) {
            VagothProcess.Result r = result(p);
            assertEquals(0, r.status(), r.toString());
        }
        try (var left = Files.list(home())) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("etc.new"))
                    .toList(), "no half-written configuration is left");
        }
        assertFalse(Files.exists(pidFile()), "no daemon was started");
    }

    @Test
    void anIdleDaemonExitsByItself() throws Exception {
        Files.createDirectories(home().resolve("etc"));
        Files.writeString(home().resolve("etc/vagoth.daemon.cfg"), "idle.exit.minutes = 0.05\n");
        VagothProcess.Result first = vagoth("new", "vm1");
        assertEquals(0, first.status(), first.toString());
        ProcessHandle d = daemon().orElseThrow(() -> new AssertionError("no daemon runs"));
        assertTrue(d.onExit().completeOnTimeout(null, 120, TimeUnit.SECONDS).get() != null, "the idle daemon exited");
        assertTrue(Files.readString(home().resolve("var/log/daemon.out")).contains("no command for 0.05 minute(s)"));
        VagothProcess.Result after = vagoth("list", "vm1");
        assertEquals(0, after.status(), "the next command starts it again: " + after);
        assertTrue(after.err().contains(STARTED), after.err());
    }

    @Test
    void aBadIdleExitValueIsSaidAndNothingStarts() throws Exception {
        Files.createDirectories(home().resolve("etc"));
        Path cfg = home().resolve("etc/vagoth.daemon.cfg");
        Files.writeString(cfg, "idle.exit.minutes = soon\n");
        VagothProcess.Result r = vagoth("list");
        assertEquals(new VagothProcess.Result(1, "", "vagoth: bad configuration: " + cfg
                + ": idle.exit.minutes = soon: must be a number of minutes, 0 (never) or more"), r);
        assertFalse(daemon().isPresent(), "no daemon runs");
    }
}
