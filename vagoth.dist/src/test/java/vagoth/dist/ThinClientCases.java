package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import vagoth.dist.VagothProcess.Result;

/**
 * What a command through the daemon does, the same whichever client
 * {@code bin/vagoth} runs it with: each subclass names a client (the native
 * one, the JVM one, the JVM one of a distribution built without a C
 * compiler), and every case runs against it, so a difference between the
 * clients fails a case of one of them. One home and one daemon a client,
 * started once; the cases that end the daemon come last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
abstract class ThinClientCases {
    /** This client's home and all beside it (made before all its cases, removed after them). */
    Path dir;
    private Path home;

    /** The distribution whose {@code bin/vagoth} runs the commands. */
    abstract Path dist() throws Exception;

    /** What the environment of each command adds. */
    abstract Map<String, String> environment();

    /** How {@code --version} names the client. */
    abstract String client();

    static Path builtDist() {
        return Path.of(System.getProperty("vagoth.dist"));
    }

    @BeforeAll
    void homeAndDaemon() throws Exception {
        dir = Files.createTempDirectory("vagoth-client-");
        home = dir.resolve("home");
        assertEquals(0, run("list").status()); // the home, one-shot
        Files.writeString(home.resolve("etc/vagoth.monitor.cfg"), "\ninterval.s = 0\n",
                java.nio.file.StandardOpenOption.APPEND); // the slow host is asked only what the cases ask
        Result started = run("daemon", "start");
        assertEquals(0, started.status(), started.err());
        // a host whose agent notes each request and takes 3 s over a start or a stop
        Path agent = dir.resolve("agent");
        Files.writeString(agent, "#!/bin/sh\nreq=$(cat)\necho \"$req\" >> '" + calls() + "'\n"
                + "case \"$req\" in *'\"action\":\"start\"'*|*'\"action\":\"stop\"'*) sleep 3;; esac\n"
                + "printf '%s\\n' \"$req\" | '" + builtDist().resolve("bin/vagoth-agent") + "' --backend sim --state '"
                + dir.resolve("sim") + "' --mem-total 4096 --cpus 4\n"
                + "status=$?\necho finished >> '" + calls() + "'\nexit $status\n");
        assertTrue(agent.toFile().setExecutable(true));
        ok("new", "--type", "hv", "hv2", "driver=geats", "agent=" + agent, "mem_total=4096", "cpus=4");
        ok("new", "vm1", "ram=128");
        ok("define", "--hint", "hv2", "vm1");
    }

    @AfterAll
    void endWhatRuns() throws Exception {
        VagothProcess.endProcessesOf(home);
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private Path calls() {
        return dir.resolve("calls");
    }

    private ProcessBuilder command(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1");
        pb.environment().remove("VAGOTH_JVM_CLIENT");
        pb.environment().remove("NO_COLOR");
        pb.environment().putAll(environment());
        return pb;
    }

    private String bin() throws Exception {
        return dist().resolve("bin/vagoth").toString();
    }

    /** {@code bin/vagoth args}: its status and all it wrote, as written. */
    Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(bin()));
        cmd.addAll(List.of(args));
        return VagothProcess.ended(command(cmd).start(), 90, "bin/vagoth " + String.join(" ", args));
    }

    private String ok(String... args) throws Exception {
        Result r = run(args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + ": " + r.err());
        return r.out();
    }

    /**
     * {@code bin/vagoth} run by bash with {@code words} (bash words: $'\377' is a byte, not a character), from a
     * caller in the POSIX locale, whose bytes are no characters to it.
     */
    private Result bash(String words) throws Exception {
        ProcessBuilder pb = command(List.of("bash", "-c", "exec \"$0\" " + words, bin()));
        pb.environment().put("LC_ALL", "C");
        return VagothProcess.ended(pb.start(), 90, words);
    }

    @Test
    @Order(1)
    void theVersionSaysWhichClientRunsCommands() throws Exception {
        assertEquals(new Result(0, "vagoth " + System.getProperty("vagoth.version") + " (" + client() + ")\n", ""),
                run("--version"));
    }

    @Test
    @Order(2)
    void commandsAnswerWithTheirOutputAndExitStatus() throws Exception {
        assertEquals(new Result(0, "new: OK (devnode1)\n", ""), run("new", "devnode1", "template=debian"));
        Result start = run("start", "devnode1");
        assertEquals("start: OK (devnode1)\n", start.out(), start.err());
        assertTrue(start.err().matches("vagoth: txid=[0-9a-f]{8} source=\\S+ action=start vm=devnode1\n"
                + "vagoth: txid=[0-9a-f]{8} source=\\S+ action=define vm=devnode1\n"), start.err());
        Result poll = run("poll");
        assertEquals("", poll.out(), poll.err());
        assertTrue(poll.err().matches("vagoth: txid=[0-9a-f]{8} source=\\S+ action=poll vm=\n"), poll.err());
        assertEquals(new Result(0, "devnode1    state=running    type=vm  parent=hyper1\n", ""), run("list", "devnode1"));
        assertEquals(new Result(1, "", "info: Node nosuch not found in registry. (nosuch)\n"), run("info", "nosuch"));
        Result usage = run("list", "--bogus");
        assertEquals(2, usage.status());
        assertTrue(usage.err().startsWith("list: unknown option --bogus\nusage: vagoth list"), usage.err());
        assertEquals(2, run("frob").status());
        Result help = run("help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("list"), help.out());
        assertEquals(help, run("-h"));
        assertEquals(help, run("--help", "whatever"));
    }

    @Test
    @Order(3)
    void longAndNonUtf8ArgumentsReachTheDaemonAsUtf8WhateverTheLocale() throws Exception {
        String missing = "info: Invalid node name '%s': it must match [A-Za-z0-9][A-Za-z0-9._-]{0,62} (%s)\n";
        assertEquals(new Result(1, "", missing.formatted("café", "café")), bash("info $'caf\\xc3\\xa9'"));
        // each malformed part is one U+FFFD: a stray byte, a sequence cut short, an encoded surrogate
        assertEquals(new Result(1, "", missing.formatted("x\uFFFDy", "x\uFFFDy")), bash("info $'x\\xffy'"));
        assertEquals(new Result(1, "", missing.formatted("\uFFFDz", "\uFFFDz")), bash("info $'\\xe2\\x82z'"));
        assertEquals(new Result(1, "", missing.formatted("a\uFFFDb", "a\uFFFDb")), bash("info $'a\\xed\\xa0\\x80b'"));
        assertEquals(new Result(1, "", missing.formatted("\uFFFD\uFFFD", "\uFFFD\uFFFD")), bash("info $'\\xc0\\xaf'"));
        String longName = "n".repeat(120_000); // near Linux's limit for one argument (128 KiB)
        Result longOne = run("info", longName);
        assertEquals(1, longOne.status());
        assertTrue(longOne.err().startsWith("info: Invalid node name 'nnn") && longOne.err().endsWith(" (" + longName
                + ")\n"), () -> "the whole name did not"
                + " reach the daemon: " + longOne.err().length() + " characters said, beginning "
                + longOne.err().substring(0, Math.min(200, longOne.err().length())));
        List<String> many = new ArrayList<>(List.of("list"));
        for (int i = 0; i < 3000; i++) {
            many.add("devnode1");
        }
        Result listed = run(many.toArray(String[]::new));
        assertEquals(0, listed.status(), listed.err());
        assertTrue(listed.out().startsWith("devnode1 "), listed.out());
    }

    @Test
    @Order(4)
    void colourOnlyOnATerminalAndNotWithNoColor() throws Exception {
        String onTerminal = script(Map.of(), "list hyper1");
        assertTrue(onTerminal.contains("\u001b[32m"), "up is green on a terminal: " + onTerminal);
        assertFalse(script(Map.of("NO_COLOR", "1"), "list hyper1").contains("\u001b["), "NO_COLOR");
        assertFalse(run("list", "hyper1").out().contains("\u001b["), "a pipe gets no colour");
    }

    /** What {@code bin/vagoth words} prints on a terminal (script(1) gives it one). */
    private String script(Map<String, String> env, String words) throws Exception {
        ProcessBuilder pb = command(List.of("script", "-qec", bin() + " " + words, "/dev/null"));
        pb.environment().put("TERM", "xterm");
        pb.environment().putAll(env);
        Result r = VagothProcess.ended(pb.start(), 90, "script " + words);
        assertEquals(0, r.status(), r.out() + r.err());
        return r.out();
    }

    /** Output to a reader that has left ({@code | head}) is dropped: the command's status stands, no SIGPIPE death. */
    @Test
    @Order(5)
    void outputToAReaderThatLeftIsDroppedAndTheStatusStands() throws Exception {
        // perl (Debian's perl-base): stdout a pipe whose reading end is closed before bin/vagoth starts
        Result r = VagothProcess.ended(command(List.of("perl", "-e", "$SIG{PIPE} = 'DEFAULT'; pipe(R, W) or die;"
                + " close R; open(STDOUT, '>&', \\*W) or die; close W; exec @ARGV or die", bin(), "list", "hyper1"))
                .start(), 90, "list to a closed pipe");
        assertEquals(0, r.status(), r.err());
    }

    /** A home of another user, whose socket leads to this daemon: refused before anything is sent. */
    @Test
    @Order(6)
    void anotherUsersHomeIsRefusedBeforeAnythingIsSent() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give a home to another user");
        Path other = Files.createDirectories(dir.resolve("other/var/run"));
        Files.createSymbolicLink(other.resolve("vagoth.sock"), home.resolve("var/run/vagoth.sock"));
        Path otherHome = dir.resolve("other");
        assertEquals(0, new ProcessBuilder("chown", "-R", "nobody", otherHome.toString()).start().waitFor());
        ProcessBuilder pb = command(List.of(bin(), "new", "intruder"));
        pb.environment().put("VAGOTH_HOME", otherHome.toString());
        Result r = VagothProcess.ended(pb.start(), 90, "new intruder");
        assertEquals(new Result(1, "", "vagoth: VAGOTH_HOME " + otherHome + " belongs to nobody, not to root: refusing"
                + " to run in it (its agents would run as root and its files change owner); run as nobody, or set"
                + " VAGOTH_ALLOW_OTHER_OWNER=1 if you mean it\n"), r);
        assertFalse(ok("list").contains("intruder"), "nothing of it reached the daemon");
    }

    /** {@code bin/vagoth words} in a process group of its own, as a terminal's foreground job is. */
    private Process foreground(String... words) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setsid", bin()));
        cmd.addAll(List.of(words));
        return command(cmd).start();
    }

    /** Waits (up to about 20 s) until the agent's calls hold {@code text}. */
    private void awaitCall(String text) throws Exception {
        for (int i = 0; i < 1000 && !(Files.exists(calls()) && Files.readString(calls()).contains(text)); i++) {
            Thread.sleep(20);
        }
        assertTrue(Files.readString(calls()).contains(text), Files.readString(calls()));
    }

    /** The standard error of a client that ended with {@code status}. */
    private static String endedWith(Process client, int status, String before) throws Exception {
        String err = before + new String(client.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the client did not end");
        assertEquals(status, client.exitValue(), err);
        return err;
    }

    /** Ctrl-C of a client leaves the daemon to go on with the job, which the client names. */
    @Test
    @Order(7)
    void ctrlCLeavesTheCommandToTheDaemonAndNamesIt() throws Exception {
        Process client = foreground("start", "vm1");
        // Ctrl-C once the action line (with its txid) has reached the client, not after a guessed pause
        StringBuilder before = new StringBuilder();
        java.io.InputStream errors = client.getErrorStream();
        for (int c; !before.toString().endsWith("action=start vm=vm1\n") && (c = errors.read()) >= 0;) {
            before.append((char) c);
        }
        assertEquals(0, new ProcessBuilder("kill", "-INT", "--", "-" + client.pid()).start().waitFor());
        String err = endedWith(client, 130, before.toString());
        Matcher m = Pattern.compile("vagoth: interrupted: the daemon goes on with 'start vm1' \\(txid ([0-9a-f]{8})\\);"
                + " 'vagoth jobs --txid \\1' shows how it ends\n$").matcher(err);
        assertTrue(m.find(), err);
        String job = ok("jobs", "--txid", m.group(1)).lines().filter(l -> l.contains("start")).findFirst()
                .orElseThrow().split("\\s+")[0];
        assertEquals(0, run("wait", "--timeout", "30", job).status(), "the job went on to its end");
        ok("poll");
        assertTrue(ok("list", "vm1").contains("state=running"), ok("list", "vm1"));
    }

    /**
     * The daemon killed while a client waits: the outcome is unknown (6), the
     * client names the job and never runs the command itself.
     */
    @Test
    @Order(8)
    void aDaemonKilledUnderAClientIsAnOutcomeUnknownThatNamesTheJob() throws Exception {
        long daemon = Long.parseLong(Files.readString(home.resolve("var/run/vagoth.pid")).trim());
        Process client = foreground("stop", "vm1");
        awaitCall("\"action\":\"stop\"");
        ProcessHandle d = ProcessHandle.of(daemon).orElseThrow();
        d.destroyForcibly(); // SIGKILL, mid-command
        d.onExit().get(30, TimeUnit.SECONDS);
        String err = endedWith(client, 6, "");
        assertTrue(Pattern.compile("vagoth: the daemon stopped while it ran 'stop vm1' \\((job|txid) ([0-9a-f]{8})\\):"
                + " whether it was done is unknown, and it is not run again here. 'vagoth (job|jobs --txid) \\2' shows"
                + " what became of it").matcher(err).find(), err);
        assertEquals(1, Files.readAllLines(calls()).stream().filter(l -> l.contains("\"action\":\"stop\"")).count(),
                "asked to stop once");
    }

    /** A socket left by a dead daemon: the client finds nobody, and the command runs here (one-shot). */
    @Test
    @Order(9)
    void aSocketLeftByADeadDaemonFallsBackToOneShot() throws Exception {
        assertTrue(Files.exists(home.resolve("var/run/vagoth.sock")), "the killed daemon's socket is still there");
        assertEquals(new Result(0, "new: OK (vm9)\n", ""), run("new", "vm9"));
        assertTrue(ok("list").contains("vm9"));
    }
}
