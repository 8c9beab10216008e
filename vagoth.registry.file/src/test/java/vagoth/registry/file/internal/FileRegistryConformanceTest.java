package vagoth.registry.file.internal;

import java.nio.file.Path;

import vagoth.api.registry.Registry;
import vagoth.registry.conformance.RegistryConformance;
import vagoth.support.io.FileIo;

/** The file registry against the conformance suite, compacting often so compaction is exercised too. */
class FileRegistryConformanceTest extends RegistryConformance {
    static final long SMALL_COMPACTION = 16 * 1024;

    @Override
    protected Registry open(Path directory) {
        return new FileRegistry(directory, SMALL_COMPACTION);
    }

    @Override
    protected Registry openWithFileIo(Path directory, FileIo io) {
        return new FileRegistry(io, directory, SMALL_COMPACTION);
    }

    @Override
    protected Class<?> workerMain() {
        return FileRegistryWorker.class;
    }
}
