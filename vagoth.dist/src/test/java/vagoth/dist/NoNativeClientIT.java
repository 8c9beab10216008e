package vagoth.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The thin client's cases in a distribution without the native client, as a
 * build without a C compiler makes it: {@code bin/vagoth} runs the JVM
 * client with nothing set. The distribution is this build's, but for that
 * one file (links to the rest; {@code bin/} copied, as it finds the
 * distribution from where it is).
 */
class NoNativeClientIT extends ThinClientCases {
    private Path dist;

    @Override
    Path dist() throws IOException {
        if (dist == null) {
            Path to = Files.createDirectories(dir.resolve("dist-without-native-client"));
            try (Stream<Path> top = Files.list(builtDist())) {
                for (Path f : top.toList()) {
                    String name = f.getFileName().toString();
                    if (name.equals("bin") || name.equals("lib")) {
                        Path sub = Files.createDirectories(to.resolve(name));
                        try (Stream<Path> files = Files.list(f)) {
                            for (Path g : files.toList()) {
                                if (name.equals("bin")) {
                                    Files.copy(g, sub.resolve(g.getFileName()),
                                            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                                } else if (!g.getFileName().toString().equals("vagoth-client")) {
                                    Files.createSymbolicLink(sub.resolve(g.getFileName()), g);
                                }
                            }
                        }
                    } else {
                        Files.createSymbolicLink(to.resolve(name), f);
                    }
                }
            }
            dist = to;
        }
        return dist;
    }

    @Override
    Map<String, String> environment() {
        return Map.of();
    }

    @Override
    String client() {
        return "JVM client";
    }
}
