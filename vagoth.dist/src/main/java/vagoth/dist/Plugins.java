package vagoth.dist;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** The jars in a directory of bundles; one that is not a bundle is skipped with a warning naming it. */
final class Plugins {
    private Plugins() {
    }

    static List<Path> jars(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted(Comparator.naturalOrder()).toList();
        }
    }

    /** The jars of {@code dir} that are bundles; each other one is named on {@code err} (unless null). */
    static List<Path> usable(Path dir, PrintStream err) throws IOException {
        List<Path> ok = new ArrayList<>();
        for (Path jar : jars(dir)) {
            String why = problem(jar);
            if (why == null) {
                ok.add(jar);
            } else if (err != null) {
                err.println("vagoth: warning: skipping " + jar + ": " + why);
            }
        }
        return ok;
    }

    /** Why {@code jar} cannot be installed as a bundle, or null. */
    static String problem(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            if (m == null || m.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                return "not an OSGi bundle (its manifest has no Bundle-SymbolicName)";
            }
            return null;
        } catch (IOException | SecurityException e) {
            return "not a readable jar (" + e.getMessage() + ")";
        }
    }
}
