package vagoth.testing;

import java.nio.file.Path;

import vagoth.api.registry.Registry;
import vagoth.registry.conformance.RegistryConformance;

/** The fake unit tests use keeps the rules every registry keeps. */
class MemoryRegistryConformanceTest extends RegistryConformance {
    @Override
    protected Registry open(Path directory) {
        return MemoryRegistry.shared(directory);
    }

    @Override
    protected Class<?> workerMain() {
        return null;
    }
}
