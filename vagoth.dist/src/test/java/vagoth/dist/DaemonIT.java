package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/vagoth daemon}: commands run inside it through the thin client,
 * with the same output and exit status as one-shot; its socket is
 * owner-only; SIGTERM stops it cleanly; without it commands run one-shot.
 */
class DaemonIT {
    @TempDir
    Path home;
    private Process daemon;

    record Result(int status, String out, String err) {
    }

    private Path bin() {
        return Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth");
    }

    private Result vagoth(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(bin().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", home.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, err);
    }

    private Path socket() {
        return home.resolve("var/run/vagoth.sock");
    }

    private void startDaemon() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(bin().toString(), "daemon").redirectErrorStream(true)
                .redirectOutput(home.resolveSibling(home.getFileName() + "-daemon.log").toFile());
        pb.environment().put("VAGOTH_HOME", home.toString());
        daemon = pb.start();
        for (int i = 0; i < 600 && !Files.exists(socket()); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(socket()), "the daemon did not open its socket");
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void commandsRunInsideTheDaemonExactlyAsOneShot() throws Exception {
        vagoth("new", "seen-before-the-daemon");
        startDaemon();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket().getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())));

        assertEquals(new Result(0, "new: OK (devnode1)", ""), vagoth("new", "devnode1", "template=debian"));
        Result start = vagoth("start", "devnode1");
        assertEquals(0, start.status());
        assertEquals("start: OK (devnode1)", start.out());
        assertTrue(start.err().matches("(?s)vagoth: txid=[0-9a-f]{8} source=\\S+ action=start vm=devnode1\n"
                + "vagoth: txid=[0-9a-f]{8} source=\\S+ action=define vm=devnode1"), start.err());
        Result poll = vagoth("poll");
        assertEquals("", poll.out());
        assertTrue(poll.err().matches("vagoth: txid=[0-9a-f]{8} source=\\S+ action=poll vm="), poll.err());
        assertEquals("devnode1    state=running    type=vm  parent=hyper1", vagoth("list", "devnode1").out());
        assertEquals(new Result(1, "", "info: Node nosuch not found in registry. (nosuch)"), vagoth("info", "nosuch"));
        Result usage = vagoth("list", "--bogus");
        assertEquals(2, usage.status());
        assertTrue(usage.err().startsWith("list: unknown option --bogus\nusage: vagoth list"), usage.err());
        assertEquals(2, vagoth("frob").status());
        assertTrue(vagoth("list").out().contains("seen-before-the-daemon"));
        // what the shell attached to the daemon offers on Tab
        assertEquals("list\nlisthv\nlistvm", vagoth("complete", "li").out());
        assertEquals("devnode1", vagoth("complete", "start", "dev").out());
        assertEquals("--hint", vagoth("complete", "define", "--h").out());
        assertEquals("hyper1", vagoth("complete", "define", "--hint", "").out());
        assertEquals("hyper1", vagoth("complete", "migrate", "devnode1", "").out());
        assertEquals("template=busybox\ntemplate=debian", vagoth("complete", "new", "x", "template=").out());
        Result second = vagoth("daemon");
        assertEquals(1, second.status(), "one daemon per home");
        assertTrue(second.err().contains("a daemon already runs"), second.err());

        ProcessHandle.of(daemon.pid()).orElseThrow().destroy(); // SIGTERM
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon did not stop on SIGTERM");
        assertFalse(Files.exists(socket()), "a clean stop removes the socket");
        assertEquals("devnode1    state=running    type=vm  parent=hyper1", vagoth("list", "devnode1").out(),
                "one-shot again, with everything the daemon recorded");
    }

    @Test
    void aSocketLeftByADeadDaemonFallsBackToOneShot() throws Exception {
        startDaemon();
        daemon.destroyForcibly(); // SIGKILL: the socket file stays behind
        daemon.waitFor(30, TimeUnit.SECONDS);
        assertTrue(Files.exists(socket()));
        assertEquals(new Result(0, "new: OK (vm1)", ""), vagoth("new", "vm1"));
        startDaemon(); // a new daemon replaces the stale socket
        assertTrue(vagoth("list").out().contains("vm1"));
    }

    /** An edit of etc/ while the daemon runs is checked like at start: a bad one is refused, a good one applied. */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aBadEditOfTheConfigurationIsRefusedWhileTheDaemonRuns() throws Exception {
        vagoth("list");
        startDaemon();
        Path cfg = home.resolve("etc/vagoth.registry.file.cfg");
        Files.writeString(cfg, "\ncompact.min.bytes = abc\n", java.nio.file.StandardOpenOption.APPEND);
        Path log = home.resolve("var/log/vagoth.log");
        String want = "bad configuration: " + cfg + ": compact.min.bytes = abc: not a whole number; the change is not"
                + " applied";
        for (int i = 0; i < 200 && !(Files.exists(log) && Files.readString(log).contains(want)); i++) {
            Thread.sleep(100);
        }
        assertTrue(Files.readString(log).contains(want), Files.readString(log));
        assertEquals(0, vagoth("new", "still-works").status(), "the registry kept its configuration");

        Path virt = home.resolve("etc/vagoth.virt.cfg");
        Files.writeString(virt, "allocator.target = (vagoth.allocator=hint)\n");
        boolean applied = false;
        for (int i = 0; i < 200 && !applied; i++) {
            applied = vagoth("plugins").out().lines().anyMatch(l -> l.matches("allocator\\s+hint\\s+active.*"));
            if (!applied) {
                Thread.sleep(100);
            }
        }
        assertTrue(applied, "a good edit was not applied: " + vagoth("plugins").out());
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aBrokenJarDroppedIntoDeployIsNamedOnce() throws Exception {
        vagoth("list");
        startDaemon();
        Path jar = home.resolve("deploy/broken.jar");
        Files.writeString(jar, "not a jar");
        Path log = home.resolve("var/log/vagoth.log");
        String want = "skipping " + jar + ": not a readable jar";
        for (int i = 0; i < 200 && !(Files.exists(log) && Files.readString(log).contains(want)); i++) {
            Thread.sleep(100);
        }
        Thread.sleep(2500); // two more scans: it is named once, not every time
        assertEquals(1, Files.readString(log).lines().filter(l -> l.contains(want)).count(), Files.readString(log));
        assertEquals(0, vagoth("list").status());
    }
}
