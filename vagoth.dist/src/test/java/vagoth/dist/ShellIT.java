package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive shell in a real terminal (tmux), attached to a daemon and
 * on a container of its own: the same behaviour either way. Globs match node
 * names, not the files of the current directory; Tab completes commands,
 * options and names; the container's commands (Felix's, SCR's, Config
 * Admin's) work; Ctrl-C interrupts the command and leaves the shell; the
 * history is the home's, owner-only; every command of the container works
 * (a third-party bundle installed, started and inspected from the attached
 * shell); a line typed after the daemon died is said not to have run, and
 * runs in a new daemon.
 */
@Timeout(600)
class ShellIT {
    @TempDir
    Path dir;

    private Path home() {
        return dir.resolve("home");
    }

    @BeforeEach
    void nodesAndADirectoryOfLookalikeFiles() throws Exception {
        for (String f : List.of("devfile1", "devfile2", "webfile")) {
            Files.createDirectories(dir.resolve("cwd"));
            Files.writeString(dir.resolve("cwd").resolve(f), f);
        }
        Files.createDirectories(dir.resolve("user"));
        for (String[] cmd : List.of(new String[] {"new", "devnode1"}, new String[] {"new", "devnode2"},
                new String[] {"new", "web1"}, new String[] {"new", "--type", "hv", "slow", "driver=geats",
                    "agent=" + SLOW_AGENT})) {
            VagothProcess.Result r = VagothProcess.run(home(), List.of(), cmd);
            assertEquals(0, r.status(), r.toString());
        }
    }

    /** An agent that answers its first poll at once and takes two minutes over anything else. */
    static final String SLOW_AGENT = VagothProcess.pollableAgent("sleep 120");

    @AfterEach
    void endWhatRuns() throws Exception {
        VagothProcess.endProcessesOf(home());
    }

    private Tmux shell(String... args) throws Exception {
        return new Tmux(dir.resolve("cwd"), Map.of("VAGOTH_HOME", home().toString(), "HOME",
                dir.resolve("user").toString(), "VAGOTH_NO_DAEMON", ""), Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth")
                        + (args.length == 0 ? "" : " " + String.join(" ", args)));
    }

    @Test
    void theShellAttachedToTheDaemon() throws Exception {
        try (Tmux t = shell()) {
            t.await("the attached shell", s -> s.contains("vagoth: attached to the daemon") && s.endsWith("vagoth>"));
            sameInEitherMode(t, "the daemon");
            installAPluginFromTheShell(t);
            aLineTypedAfterTheDaemonDiedIsNotLost(t);
            t.line("exit");
            t.await("the shell's end", s -> s.contains("[exited 0]"));
        }
        VagothProcess.Result jobs = VagothProcess.run(home(), List.of(), "jobs", "--node", "devnode2");
        assertTrue(jobs.out().contains(" define "), "the interrupted define went on in the daemon: " + jobs);
        historyIsTheHomesOwn();
    }

    @Test
    void theShellOnAContainerOfItsOwn() throws Exception {
        try (Tmux t = shell("--no-daemon")) {
            t.await("the embedded shell", s -> s.contains("vagoth: a container of this shell's own")
                    && s.endsWith("vagoth>"));
            sameInEitherMode(t, "this shell's container");
            t.line("exit");
            t.await("the shell's end", s -> s.contains("[exited 0]"));
        }
        assertFalse(Files.exists(home().resolve("var/run/vagoth.pid")), "no daemon was started");
        historyIsTheHomesOwn();
    }

    private void sameInEitherMode(Tmux t, String where) throws Exception {
        int from = t.screen().length();
        t.line("list dev*");
        String s = t.awaitAfter(from, "devnode2    state=");
        assertTrue(s.substring(from).contains("devnode1    state=unknown"), s);
        assertFalse(s.substring(from).contains("devfile") || s.substring(from).contains("no matches"),
                "a glob is matched against node names, never files: " + s);

        from = t.screen().length();
        t.line("list *");
        s = t.awaitAfter(from, "web1        state=");
        assertTrue(s.substring(from).contains("hyper1      state="), s);

        t.keys("info we", "Tab");
        t.await("the name completed", x -> x.contains("vagoth> info web1"));
        from = t.screen().length();
        t.keys("Enter");
        t.awaitAfter(from, "name:       web1");

        t.keys("list --tena", "Tab");
        t.await("the option completed", x -> x.contains("vagoth> list --tenant"));
        t.keys("C-u");
        t.keys("scr:lis", "Tab");
        t.await("a command of the container completed", x -> x.contains("vagoth> scr:list"));
        t.keys("C-u");

        from = t.screen().length();
        t.line("felix:lb");
        t.awaitAfter(from, "Vagoth shell commands");

        from = t.screen().length();
        t.line("cm:list");
        s = t.awaitAfter(from, "vagoth.manager");
        assertTrue(s.substring(from).contains(home().resolve("etc/vagoth.manager.cfg").toString()), s);
        from = t.screen().length();
        t.line("cm:get vagoth.manager");
        t.awaitAfter(from, "provisioner.target = (vagoth.provisioner=template)");

        from = t.screen().length();
        t.line("lsit");
        t.awaitAfter(from, "vagoth: unknown command 'lsit'; did you mean 'list'?");

        from = t.screen().length();
        t.line("define --hint slow devnode2"); // its agent takes two minutes to answer
        t.awaitAfter(from, "action=define vm=devnode2");
        t.keys("C-c");
        s = t.awaitAfter(from, "vagoth: interrupted: " + where + " goes on with 'define --hint slow devnode2'");
        from = t.screen().length();
        t.line("list web1");
        t.awaitAfter(from, "web1        state=unknown");
    }

    private void installAPluginFromTheShell(Tmux t) throws Exception {
        Path jar = Path.of(System.getProperty("vagoth.example.driver"));
        int from = t.screen().length();
        t.line("felix:install " + jar.toUri());
        String s = t.awaitAfter(from, "Bundle ID: ");
        Matcher id = Pattern.compile("Bundle ID: (\\d+)").matcher(s.substring(from));
        assertTrue(id.find(), s);
        t.line("felix:start " + id.group(1));
        from = t.screen().length();
        t.line("felix:lb");
        s = t.awaitAfter(from, "Vagoth example driver");
        assertTrue(Pattern.compile(id.group(1) + "\\|Active ").matcher(s.substring(from)).find(), s);
        from = t.screen().length();
        t.line("scr:list");
        t.awaitAfter(from, "org.example.vagoth.driver.MemoryDriver");
        from = t.screen().length();
        t.line("plugins");
        s = t.awaitAfter(from, "vagoth-example-driver");
        assertTrue(s.substring(from).lines().anyMatch(l -> l.matches("driver +example +present +vagoth-example-driver .*")),
                s);
    }

    private void aLineTypedAfterTheDaemonDiedIsNotLost(Tmux t) throws Exception {
        long pid = Long.parseLong(Files.readString(home().resolve("var/run/vagoth.pid")).strip());
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
        new ProcessBuilder("kill", "-KILL", String.valueOf(pid)).start().waitFor();
        daemon.onExit().get();
        int from = t.screen().length();
        t.line("list web1");
        String s = t.awaitAfter(from, "web1        state=");
        assertTrue(s.substring(from).contains("vagoth: the daemon has gone away: 'list web1' was not run"), s);
        assertTrue(s.substring(from).contains("vagoth: started a daemon for " + home()), s);
    }

    private void historyIsTheHomesOwn() throws Exception {
        Path history = home().resolve("var/history");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history)));
        assertTrue(Files.readString(history).contains("list dev*"), Files.readString(history));
        assertFalse(Files.exists(dir.resolve("user/.gogo.history")), "not the user's shared Gogo history");
    }
}
