package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data-sharing archives are used where they hold and made again
 * where the JVM would reject them: in a distribution that moved, and under
 * another JDK. The JVM says which archive it mapped ({@code -Xlog:cds=info}),
 * so a test sees an archive ignored, which no timing could tell.
 */
@Timeout(300)
class ClassDataSharingIT {
    @TempDir
    Path dir;

    private Path home() {
        return dir.resolve("home");
    }

    @AfterEach
    void endWhatRuns() throws Exception {
        VagothProcess.endProcessesOf(home());
    }

    private VagothProcess.Result vagoth(Path dist, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(dist.resolve("bin/vagoth").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", home().toString());
        pb.environment().remove("VAGOTH_NO_DAEMON");
        pb.environment().remove("VAGOTH_NO_AUTOSTART");
        pb.environment().put("VAGOTH_JVM_CLIENT", "1"); // the JVM client's archive is the one looked at
        // which archive the JVM opens, and where each class came from, on stdout
        pb.environment().put("VAGOTH_JAVA_OPTS", "-Xlog:cds=info -Xlog:class+load=info");
        pb.environment().putAll(env);
        Process p = pb.start();
        return VagothProcess.ended(p, 120, "bin/vagoth");
    }

    /**
     * Whether the JVM that printed {@code out} took Vagoth's classes from
     * {@code archive}: it opened that archive (the thin client's is static, the launcher's dynamic), and its first
     * Vagoth class came from there (a JVM maps an archive before it checks the
     * class path, and drops one that does not hold).
     */
    private static boolean mapped(String out, Path archive) {
        // JDK 17 says "Opened archive F.", later ones "Opened shared archive file F."
        return (out.contains("Opened archive " + archive + ".") || out.contains("Opened shared archive file " + archive
                + ".")) && fromTheArchive(out);
    }

    private static boolean fromTheArchive(String out) {
        return out.lines().filter(l -> l.contains("[class,load] vagoth.dist.")).findFirst()
                .map(l -> l.contains("source: shared objects file")).orElse(false); // a static or a dynamic one
    }

    private static void awaitFile(Path f) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(f) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(f), f + " was never made");
    }

    private static Path copyOf(Path dist, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(dist.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }

    @Test
    void theBuildsArchivesAreUsedInTheDistributionTheyWereMadeFor() throws Exception {
        Path dist = Path.of(System.getProperty("vagoth.dist"));
        VagothProcess.Result oneShot = vagoth(dist, Map.of("VAGOTH_NO_DAEMON", "1"), "list");
        assertEquals(0, oneShot.status(), oneShot.toString());
        assertTrue(mapped(oneShot.out(), dist.resolve("lib/launcher.jsa")), oneShot.out());
        assertEquals(0, vagoth(dist, Map.of(), "daemon", "start").status());
        VagothProcess.Result thin = vagoth(dist, Map.of(), "list");
        assertEquals(0, thin.status(), thin.toString());
        assertTrue(thin.out().contains("hyper1      state="), thin.out());
        assertTrue(mapped(thin.out(), dist.resolve("lib/thin.jsa")), thin.out());
        assertFalse(Files.exists(home().resolve("var/cache/cds/thin.jsa")), "nothing had to be made again");
    }

    @Test
    void aMovedDistributionMakesItsArchivesAgainForTheHome() throws Exception {
        Path moved = copyOf(Path.of(System.getProperty("vagoth.dist")), dir.resolve("moved"));
        VagothProcess.Result first = vagoth(moved, Map.of("VAGOTH_NO_DAEMON", "1"), "list");
        assertEquals(0, first.status(), first.toString());
        assertFalse(fromTheArchive(first.out()), "the build's archive does not hold here: " + first.out());
        awaitFile(home().resolve("var/cache/cds/launcher.key"));
        VagothProcess.Result next = vagoth(moved, Map.of("VAGOTH_NO_DAEMON", "1"), "list");
        assertEquals(0, next.status(), next.toString());
        assertTrue(mapped(next.out(), home().resolve("var/cache/cds/launcher.jsa")), next.out());

        assertEquals(0, vagoth(moved, Map.of(), "daemon", "start").status());
        assertEquals(0, vagoth(moved, Map.of(), "list").status());
        awaitFile(home().resolve("var/cache/cds/thin.key"));
        VagothProcess.Result thin = vagoth(moved, Map.of(), "list");
        assertEquals(0, thin.status(), thin.toString());
        assertTrue(thin.out().contains("hyper1      state="), thin.out());
        assertTrue(mapped(thin.out(), home().resolve("var/cache/cds/thin.jsa")), thin.out());
    }

    @Test
    void anotherJdkMakesTheArchivesAgainForTheHome() throws Exception {
        Optional<Path> other = otherJdk();
        Assumptions.assumeTrue(other.isPresent(), "no second JDK on this machine");
        Path dist = Path.of(System.getProperty("vagoth.dist"));
        Map<String, String> env = Map.of("JAVA_HOME", other.get().toString(), "VAGOTH_NO_DAEMON", "1");
        VagothProcess.Result first = vagoth(dist, env, "list");
        assertEquals(0, first.status(), first.toString());
        assertFalse(fromTheArchive(first.out()), first.out());
        awaitFile(home().resolve("var/cache/cds/launcher.key"));
        VagothProcess.Result next = vagoth(dist, env, "list");
        assertEquals(0, next.status(), next.toString());
        assertTrue(mapped(next.out(), home().resolve("var/cache/cds/launcher.jsa")), next.out());
        assertNotEquals(Files.readString(dist.resolve("lib/launcher.key")),
                Files.readString(home().resolve("var/cache/cds/launcher.key")));
    }

    /** A JDK of another version than the one running the tests (the build's), if the machine has one. */
    private static Optional<Path> otherJdk() throws Exception {
        Path mine = Path.of(System.getProperty("java.home")).toRealPath();
        String version = System.getProperty("java.specification.version");
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path j : jdks.toList()) {
                Path release = j.resolve("release");
                if (Files.isExecutable(j.resolve("bin/java")) && Files.exists(release) && !j.toRealPath().equals(mine)
                        && !Files.readString(release).contains("JAVA_VERSION=\"" + version)) {
                    return Optional.of(j);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
