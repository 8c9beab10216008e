package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The thin client's cases with the native client (lib/vagoth-client), which {@code bin/vagoth} picks itself. */
class NativeClientIT extends ThinClientCases {
    @Override
    Path dist() {
        boolean built = Files.isExecutable(builtDist().resolve("lib/vagoth-client"));
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(built, "no native client: this build had no C compiler (apt-get install gcc)");
        }
        assertTrue(built, "CI builds the native client: .ci/run installs gcc");
        return builtDist();
    }

    @Override
    Map<String, String> environment() {
        return Map.of();
    }

    @Override
    String client() {
        return "native client";
    }
}
