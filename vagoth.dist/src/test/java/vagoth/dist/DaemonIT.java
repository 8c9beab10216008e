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
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/vagoth daemon}: commands run inside it through the thin client,
 * with the same output and exit status as one-shot; its socket is
 * owner-only; SIGTERM stops it cleanly; without it commands run one-shot.
 * What the client itself does (its exit statuses, Ctrl-C, a daemon lost
 * under it, a socket left behind) is ThinClientCases', for each client.
 */
@Timeout(300)
class DaemonIT {
    @TempDir
    Path home;
    /** What a test keeps beside the home (the daemon's output, the slow agent and what it was asked): removed with it. */
    @TempDir
    Path beside;
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
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        VagothProcess.Result r = VagothProcess.ended(pb.start(), 120, "bin/vagoth " + String.join(" ", args));
        return new Result(r.status(), r.out().strip(), r.err().strip());
    }

    private Path socket() {
        return home.resolve("var/run/vagoth.sock");
    }

    private void startDaemon() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(bin().toString(), "daemon").redirectErrorStream(true)
                .redirectOutput(beside.resolve("daemon.log").toFile());
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
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

    /** The daemon's lock, not its socket file, says whether one runs: a deleted socket never lets a second start. */
    @Test
    @org.junit.jupiter.api.Timeout(180)
    void aDaemonWhoseSocketWasDeletedIsStillFoundAndNoSecondOneStarts() throws Exception {
        vagoth("list");
        startDaemon();
        for (int i = 0; i < 600 && !Files.exists(home.resolve("var/run/vagoth.pid")); i++) {
            Thread.sleep(50);
        }
        Files.delete(socket());
        Result status = vagoth("daemon", "status");
        assertEquals(1, status.status(), status.out());
        assertTrue(status.out().contains("a daemon runs for " + home + " (pid " + daemon.pid() + ") but its socket"),
                status.out());
        Result second = vagoth("daemon");
        assertEquals(1, second.status(), second.out());
        assertTrue(second.err().contains("a daemon already runs for " + home + " (pid " + daemon.pid() + ")"),
                second.err());
        assertTrue(daemon.isAlive(), "the first one is not orphaned");
        Result stop = vagoth("daemon", "stop");
        assertEquals(0, stop.status(), stop.err());
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, vagoth("daemon", "status").status(), "none runs now");
    }

    /** Another user who reaches the socket (its rights loosened by hand) is refused and runs nothing. */
    @Test
    @org.junit.jupiter.api.Timeout(180)
    void anotherUserIsRefusedByTheDaemonEvenWhenTheSocketLetsItIn() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to connect as another user (nobody)");
        vagoth("list");
        startDaemon();
        for (Path p = socket().getParent(); p != null && p.startsWith(home.getParent()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Files.setPosixFilePermissions(socket(), PosixFilePermissions.fromString("rwxrwxrwx"));
        // the other user's client: a few lines of Java in a directory it may read (the distribution may be where it
        // may not), speaking the daemon's protocol: 'new intruder'
        Path dir = Files.createTempDirectory("vagoth-peer");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path client = dir.resolve("Peer.java");
            Files.writeString(client, "import java.io.*; import java.nio.channels.*; import java.net.*;\n"
                    + "public class Peer { public static void main(String[] a) throws Exception {\n"
                    + "  try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(a[0]))) {\n"
                    // the request in one write, as the thin client sends it; the daemon answers a stranger before
                    // reading anything, and may have closed by then: its answer is read all the same
                    + "    DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));\n"
                    + "    o.writeInt(" + DaemonProtocol.MAGIC + "); o.writeByte(0); o.writeInt(2);\n"
                    + "    for (String s : new String[] {\"new\", \"intruder\"}) { byte[] b = s.getBytes(\"UTF-8\");"
                    + " o.writeInt(b.length); o.write(b); }\n"
                    + "    o.writeBoolean(false); try { o.flush(); } catch (IOException refused) { }\n"
                    + "    DataInputStream i = new DataInputStream(Channels.newInputStream(ch));\n"
                    + "    int status = i.readInt(); i.readNBytes(i.readInt()); byte[] err = i.readNBytes(i.readInt());\n"
                    + "    System.out.print(new String(err, \"UTF-8\")); System.exit(status); } } }\n");
            Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rw-r--r--"));
            ProcessBuilder pb = new ProcessBuilder("runuser", "-u", "nobody", "--",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), client.toString(),
                    socket().toString()).redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("vagoth: this daemon belongs to root; nobody may not use it"), out);
        } finally {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        assertFalse(vagoth("list").out().contains("intruder"), "nothing of its command ran");
    }

    /** Another process on the API's port: the daemon says loudly that it does not serve the API, never that it does. */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aTakenPortIsSaidLoudlyAndTheApiIsNotClaimed() throws Exception {
        vagoth("list");
        try (java.net.ServerSocket squatter = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            Files.writeString(home.resolve("etc/vagoth.http.cfg"), "port = " + squatter.getLocalPort() + "\n");
            startDaemon();
            Path out = beside.resolve("daemon.log");
            awaitText(out, "the remote API is NOT served: 127.0.0.1:" + squatter.getLocalPort());
            assertTrue(Files.readString(out).contains("the remote API is NOT served: 127.0.0.1:"
                    + squatter.getLocalPort()), Files.readString(out));
            assertFalse(Files.readString(out).contains("the remote API is served at"), Files.readString(out));
            Result status = vagoth("daemon", "status");
            assertTrue(status.out().contains("its remote API is not served: 127.0.0.1:" + squatter.getLocalPort()),
                    status.out());
            assertTrue(Files.readString(home.resolve("var/log/vagoth.log")).contains("the remote API is NOT served"));
        }
    }

    /** A request larger than any command line is refused as it is read, before it is held in memory. */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void anOversizedRequestIsCutOffAndTheDaemonGoesOn() throws Exception {
        vagoth("list");
        startDaemon();
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(socket()))) {
            java.io.DataOutputStream out = new java.io.DataOutputStream(java.nio.channels.Channels.newOutputStream(ch));
            out.writeInt(DaemonProtocol.MAGIC);
            out.writeByte(0);
            out.writeInt(1);
            out.writeInt(DaemonProtocol.MAX_REQUEST_BYTES + 1); // announced, never sent
            out.flush();
            assertEquals(-1, java.nio.channels.Channels.newInputStream(ch).read(), "closed without an answer");
        }
        assertEquals(0, vagoth("list").status(), "the daemon goes on");
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
        assertEquals("template=busybox\ntemplate=debian\ntemplate=tiny\ntemplate=tiny-lxc", vagoth("complete", "new", "x", "template=").out());
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
    @org.junit.jupiter.api.Timeout(120)
    void aBadEditOfTheConfigurationIsRefusedWhileTheDaemonRuns() throws Exception {
        vagoth("list");
        startDaemon();
        Path cfg = home.resolve("etc/vagoth.registry.file.cfg");
        Files.writeString(cfg, "\ncompact.min.bytes = abc\n", java.nio.file.StandardOpenOption.APPEND);
        Path log = home.resolve("var/log/vagoth.log");
        String want = "bad configuration: " + cfg + ": compact.min.bytes = abc: not a whole number; the change is not"
                + " applied";
        awaitText(log, want);
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
        awaitText(log, want);
        // two more scans, each known by a jar it names, pass the first one over again: it is named once
        for (String later : List.of("later1.jar", "later2.jar")) {
            Path next = home.resolve("deploy").resolve(later);
            Files.writeString(next, "not a jar either");
            awaitText(log, "skipping " + next + ": not a readable jar");
            assertTrue(Files.readString(log).contains("skipping " + next), Files.readString(log));
        }
        assertEquals(1, Files.readString(log).lines().filter(l -> l.contains(want)).count(), Files.readString(log));
        assertEquals(0, vagoth("list").status());
    }

    private static boolean startFinished(Path calls) throws IOException {
        List<String> lines = Files.readAllLines(calls);
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            start = lines.get(i).contains("\"action\":\"start\"") ? i : start;
        }
        return start >= 0 && lines.subList(start + 1, lines.size()).contains("finished");
    }

    private static boolean runningStartOfVm1(Path records) throws IOException {
        return Files.exists(records) && Files.readAllLines(records).stream().anyMatch(l -> l.contains("\"action\":\"start\"")
                && l.contains("\"node\":\"vm1\"") && l.contains("\"state\":\"running\""));
    }

    /** Waits (up to about 20 s) until {@code file} holds {@code text}. */
    private static void awaitText(Path file, String text) throws Exception {
        for (int i = 0; i < 1000 && !(Files.exists(file) && Files.readString(file).contains(text)); i++) {
            Thread.sleep(20);
        }
    }

    /** The standard error of a client that ended with {@code status}. */
    private static String endedWith(Process client, int status) throws Exception {
        String err = new String(client.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the client did not end");
        assertEquals(status, client.exitValue(), err);
        return err;
    }

    private Path calls() {
        return beside.resolve("calls");
    }

    /**
     * An agent that notes each request in {@link #calls()}, takes 3 s over a
     * {@code start} and notes when it has done it.
     */
    private Path slowAgent() throws IOException {
        Path agent = beside.resolve("agent");
        Path real = Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent");
        Files.writeString(agent, "#!/bin/sh\nreq=$(cat)\necho \"$req\" >> '" + calls() + "'\n"
                + "case \"$req\" in *'\"action\":\"start\"'*) sleep 3;; esac\n"
                + "printf '%s\\n' \"$req\" | '" + real + "' --backend sim --state '" + beside.resolve("sim")
                + "' --mem-total 4096 --cpus 4\n"
                + "status=$?\necho finished >> '" + calls() + "'\nexit $status\n");
        agent.toFile().setExecutable(true);
        return agent;
    }

    private void vmOnSlowHost() throws Exception {
        assertEquals(0, vagoth("new", "--type", "hv", "hv2", "driver=geats", "agent=" + slowAgent(), "mem_total=4096",
                "cpus=4").status());
        assertEquals(0, vagoth("new", "vm1", "ram=128").status());
        assertEquals(0, vagoth("define", "--hint", "hv2", "vm1").status());
    }

    /** {@code vagoth start vm1} in a process group of its own, as a terminal's foreground job is. */
    private Process startVm1() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("setsid", bin().toString(), "start", "vm1")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        Process client = pb.start();
        awaitText(calls(), "\"action\":\"start\"");
        return client;
    }

    private static void signal(Process p, String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, String.valueOf(p.pid())).start().waitFor();
    }

    /** What Ctrl-C does: SIGINT to every process of the foreground job. */
    private static void ctrlC(Process job) throws Exception {
        new ProcessBuilder("kill", "-INT", "--", "-" + job.pid()).start().waitFor();
    }

    /** Ctrl-C of a one-shot command lets the running agent call finish and the job be recorded. */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void ctrlCOfACommandNeverTearsTheAgentCallInHalf() throws Exception {
        vagoth("list");
        vmOnSlowHost();
        Process client = startVm1();
        ctrlC(client);
        String err = new String(client.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(client.waitFor(60, TimeUnit.SECONDS));
        assertTrue(err.contains("vagoth: interrupted: finishing what is running"), err);
        assertEquals(130, client.exitValue(), err);
        assertTrue(Files.readString(calls()).contains("finished"), "the agent was cut off");
        Result jobs = vagoth("jobs", "--node", "vm1");
        assertTrue(jobs.out().lines().anyMatch(l -> l.contains(" done ") && l.contains("start")), jobs.out());
    }

    /** SIGTERM of a one-shot command is Ctrl-C: the agent call it is making finishes. */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void sigtermOfACommandNeverTearsTheAgentCallInHalf() throws Exception {
        vagoth("list");
        vmOnSlowHost();
        Process client = startVm1();
        signal(client, "TERM");
        String err = endedWith(client, 130);
        assertTrue(Files.readString(calls()).contains("finished"), "the agent was cut off");
    }

    /** A daemon stopped while a client waits tells the client how its command really ended. */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aDaemonStoppedUnderAClientTellsItTheTruth() throws Exception {
        vagoth("list");
        startDaemon();
        vmOnSlowHost();
        Process client = startVm1();
        signal(daemon, "TERM");
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(client.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(client.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, client.exitValue(), out + err);
        assertEquals("start: OK (vm1)", out.strip(), err);
        assertFalse(err.contains("Exception"), err);
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon did not stop");
        assertTrue(Files.readString(calls()).contains("finished"), "the agent was cut off");
    }

    /**
     * A command handed to the daemon is never run again by the client: when
     * the daemon is killed mid-command the client says the outcome is unknown
     * (status 6), and the job the daemon was running is interrupted, not re-run.
     */
    @Test
    @org.junit.jupiter.api.Timeout(180)
    void aCommandIsRunAtMostOnceWhenTheDaemonDiesUnderIt() throws Exception {
        Path calls = calls();
        vagoth("list");
        startDaemon();
        vmOnSlowHost();
        Process client = startVm1();
        // once the job records on disk say it runs (they are flushed every flush.ms), not after a guessed pause
        Path records = home.resolve("var/jobs/jobs.log");
        for (long end = System.nanoTime() + 20_000_000_000L; !runningStartOfVm1(records) && System.nanoTime() < end;) {
            Thread.sleep(20);
        }
        assertTrue(runningStartOfVm1(records), "the job is known to be running: " + Files.readString(records));
        daemon.toHandle().destroyForcibly(); // SIGKILL, mid-command
        daemon.waitFor(30, TimeUnit.SECONDS);
        String err = endedWith(client, 6);
        java.util.regex.Matcher named = java.util.regex.Pattern.compile(
                "vagoth: the daemon stopped while it ran 'start vm1' \\((job|txid) ([0-9a-f]{8})\\): whether it was"
                        + " done is unknown, and it is not run again here").matcher(err);
        assertTrue(named.find(), err);
        assertTrue(err.indexOf("action=start vm=vm1") < named.start(), "action lines reach the client as they happen");

        // the agent call the daemon made finishes by itself: its "finished" follows the start request in the calls
        for (long end = System.nanoTime() + 30_000_000_000L; !startFinished(calls) && System.nanoTime() < end;) {
            Thread.sleep(20);
        }
        assertTrue(startFinished(calls), Files.readString(calls));
        Result jobs = vagoth("jobs", "--node", "vm1");
        assertTrue(jobs.out().lines().anyMatch(l -> l.contains("interrupted") && l.contains("start")), jobs.out());
        vagoth("list");
        long starts = Files.readAllLines(calls).stream().filter(l -> l.contains("\"action\":\"start\"")).count();
        assertEquals(1, starts, "the agent was asked to start vm1 more than once");

        // only the operator runs it again
        String id = jobs.out().lines().filter(l -> l.contains("interrupted") && l.contains("start")).findFirst()
                .orElseThrow().split("\\s+")[0];
        assertTrue(jobs.out().lines().anyMatch(l -> l.startsWith(id) && l.contains(named.group(2))) || id.equals(
                named.group(2)), "the client named the job the daemon was running: " + named.group() + "\n" + jobs.out());
        Result retry = vagoth("job", "retry", id);
        assertEquals(0, retry.status(), retry.err());
        assertTrue(retry.out().startsWith("job retry: OK (start vm1: job "), retry.out());
        assertEquals(2, Files.readAllLines(calls).stream().filter(l -> l.contains("\"action\":\"start\"")).count());
        String done = vagoth("jobs", "--node", "vm1", "--state", "done", "--limit", "1").out().lines().skip(1)
                .findFirst().orElseThrow().split("\\s+")[0];
        Result again = vagoth("job", "retry", done);
        assertEquals(1, again.status());
        assertTrue(again.err().contains("is done; only an interrupted, failed or cancelled job is retried"), again.err());
        Result twice = vagoth("job", "retry", id);
        assertEquals(1, twice.status(), twice.out());
        assertTrue(twice.err().contains("job retry: job " + id + " was retried already, as job " + done
                + "; a job is retried once"), twice.err());
        assertEquals(2, Files.readAllLines(calls).stream().filter(l -> l.contains("\"action\":\"start\"")).count(),
                "a second retry of the same job runs nothing");
    }
}
