package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * What ships is what the resolver accepted: the distribution's bundle/ holds
 * exactly the bundles bnd resolved for cnf/run/vagoth.bndrun (the build
 * fails when that list is not what resolves), no more and no fewer.
 */
class ShippedBundlesIT {

    @Test
    void bundleDirectoryHoldsExactlyTheResolvedBundles() throws IOException {
        Set<String> shipped = new TreeSet<>();
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("vagoth.dist"), "bundle"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                try (JarFile f = new JarFile(jar.toFile())) {
                    shipped.add(f.getManifest().getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim());
                }
            }
        }
        Set<String> resolved = new TreeSet<>();
        String bndrun = Files.readString(Path.of("..", "cnf", "run", "vagoth.bndrun"));
        int at = bndrun.indexOf("-runbundles:");
        Matcher m = Pattern.compile("([A-Za-z0-9_.-]+);version=").matcher(bndrun.substring(Math.max(0, at)));
        while (at >= 0 && m.find()) {
            resolved.add(m.group(1));
        }
        assertFalse(resolved.isEmpty(), "cnf/run/vagoth.bndrun has no -runbundles");
        assertEquals(resolved, shipped);
    }
}
