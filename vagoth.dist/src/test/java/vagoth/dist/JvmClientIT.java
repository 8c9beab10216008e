package vagoth.dist;

import java.nio.file.Path;
import java.util.Map;

/** The thin client's cases with the JVM client, asked for by {@code VAGOTH_JVM_CLIENT=1}. */
class JvmClientIT extends ThinClientCases {
    @Override
    Path dist() {
        return builtDist();
    }

    @Override
    Map<String, String> environment() {
        return Map.of("VAGOTH_JVM_CLIENT", "1");
    }

    @Override
    String client() {
        return "JVM client";
    }
}
