package vagoth.bench;

import java.nio.file.Path;

import vagoth.registry.file.internal.FileRegistry;

/**
 * Opens a registry in a fresh JVM, as a one-shot command does, and prints
 * {@code <open ms> <heap bytes per node>}: the wall time of the constructor
 * (snapshot and log read, indexes built) and the heap in use after a full GC
 * with the registry open, less the heap in use before it was opened.
 */
public final class OpenRegistry {
    private OpenRegistry() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long nodes = Long.parseLong(args[1]);
        long before = usedAfterGc();
        long t0 = System.nanoTime();
        try (FileRegistry r = new FileRegistry(dir, Long.MAX_VALUE)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long after = usedAfterGc();
            if (r.size() < nodes) {
                throw new IllegalStateException("registry holds " + r.size() + " nodes, expected at least " + nodes);
            }
            System.out.println(ms + " " + (after - before) / r.size());
        }
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
