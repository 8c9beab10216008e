package vagoth.registry.file.internal;

import vagoth.registry.conformance.RegistryWorker;

/** Writer process for the multi-process and crash tests. */
public final class FileRegistryWorker {
    private FileRegistryWorker() {
    }

    public static void main(String[] args) {
        RegistryWorker.run(dir -> new FileRegistry(dir, FileRegistryConformanceTest.SMALL_COMPACTION), args);
    }
}
