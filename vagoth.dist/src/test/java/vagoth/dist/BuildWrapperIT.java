package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkout's {@code bin/vagoth} builds only when the sources are newer
 * than the last build of the distribution (this very {@code mvn verify}'s
 * counts), and two of them started on stale sources build one at a time: the
 * second finds the first's build fresh. Maven is replaced on the PATH by a
 * script that notes each build it is asked for and builds nothing, so the
 * test never builds inside the build that runs it.
 */
@Timeout(180)
class BuildWrapperIT {
    @TempDir
    Path dir;

    private static Path root() {
        return Path.of(System.getProperty("vagoth.dist")).getParent().getParent().getParent();
    }

    private Path fakeMaven() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path mvn = bin.resolve("mvn");
        // as a real build ends: the distribution's stamp is written (the test puts its time back afterwards)
        Files.writeString(mvn, "#!/usr/bin/env bash\necho \"start $(date +%s%N)\" >> \"$FAKE_MVN_LOG\"\nsleep 1.5\n"
                + "touch '" + stamp() + "'\necho \"end $(date +%s%N)\" >> \"$FAKE_MVN_LOG\"\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwx------"));
        return bin;
    }

    /** Written by every build of the distribution: what the wrapper compares the sources with. */
    private static Path stamp() {
        return Path.of(System.getProperty("vagoth.dist"), ".built");
    }

    private Process wrapper(Path fakeBin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(root().resolve("bin/vagoth").toString(), "--no-daemon", "help")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", dir.resolve("home").toString());
        pb.environment().put("PATH", fakeBin + File.pathSeparator + System.getenv("PATH"));
        pb.environment().put("FAKE_MVN_LOG", dir.resolve("mvn.log").toString());
        return pb.start();
    }

    private static String stderr(Process p) throws Exception {
        return VagothProcess.ended(p, 600, "bin/vagoth (building)").err();
    }

    private List<String> builds() throws Exception {
        Path log = dir.resolve("mvn.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void whatTheBuildJustBuiltIsNotBuiltAgain() throws Exception {
        String err = stderr(wrapper(fakeMaven()));
        assertFalse(err.contains("building"), err);
        assertEquals(List.of(), builds(), "no build was asked for");
    }

    @Test
    void twoCommandsOnStaleSourcesBuildOneAtATime() throws Exception {
        Path fake = fakeMaven();
        whileStale(() -> {
            List<Process> two = new ArrayList<>(List.of(wrapper(fake), wrapper(fake)));
            int told = 0;
            for (Process p : two) {
                told += stderr(p).contains("vagoth: building") ? 1 : 0;
            }
            assertEquals(1, told, "one of them built");
            List<String> log = builds();
            assertEquals(2, log.size(), "one build, begun and ended: " + log);
            assertTrue(log.get(0).startsWith("start ") && log.get(1).startsWith("end "), log.toString());
        });
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with the sources newer than the last build (a probe file), then puts both back. */
    private static void whileStale(Body body) throws Exception {
        Path probe = root().resolve("vagoth.dist/src/test/resources/stale-probe-" + ProcessHandle.current().pid());
        Files.createDirectories(probe.getParent());
        java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(stamp());
        try {
            Thread.sleep(20);
            Files.writeString(probe, "newer than the last build\n");
            body.run();
        } finally {
            Files.deleteIfExists(probe);
            Files.setLastModifiedTime(stamp(), built); // the distribution is the one this build made, as before
        }
    }

    /**
     * On a terminal the build shows which module it builds, of how many, and for how long; a build that fails says
     * its errors in full and where its whole output is (a Maven that fails, on the PATH, stands in for a real one).
     */
    @Test
    void theBuildShowsItsProgressOnATerminalAndItsErrorsInFull() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("failing"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/usr/bin/env bash\n"
                + "echo '[INFO] Building Vagoth API 0.1.0-SNAPSHOT                               [1/28]'\n"
                + "echo '[INFO] Building jar: /x/vagoth.api.jar'\n"
                + "echo '[INFO] Building Vagoth support code 0.1.0-SNAPSHOT                      [2/28]'\n"
                + "sleep 3\n"
                + "echo '[ERROR] /x/vagoth.support/src/main/java/A.java:[3,1] cannot find symbol'\n"
                + "echo '[ERROR] Failed to execute goal compile (default-compile) on project vagoth.support'\n"
                + "echo '[ERROR] '\n"
                + "exit 1\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwx------"));
        whileStale(() -> {
            String err = stderr(wrapper(bin));
            assertTrue(err.contains("[ERROR] /x/vagoth.support/src/main/java/A.java:[3,1] cannot find symbol\n[ERROR]"
                    + " Failed to execute goal compile (default-compile) on project vagoth.support\nvagoth: the build"
                    + " failed (status 1); the whole output is in " + root().resolve(".build.log")), err);
            assertFalse(err.contains("vagoth: building Vagoth"), "no progress line where no terminal is: " + err);
            try (Tmux t = new Tmux(dir, java.util.Map.of("PATH", bin + File.pathSeparator + System.getenv("PATH"),
                    "VAGOTH_HOME", dir.resolve("home").toString()), root().resolve("bin/vagoth") + " --no-daemon help")) {
                String screen = t.await("the progress line", x -> x.contains("vagoth: building Vagoth support code (2"
                        + " of 28), "));
                assertFalse(screen.contains("Building jar"), screen);
                t.await("the errors", x -> x.contains("the build failed (status 1)") && x.contains("[exited 1]"));
            }
        });
    }
}
