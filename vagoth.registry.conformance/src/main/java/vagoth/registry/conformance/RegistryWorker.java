package vagoth.registry.conformance;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import vagoth.api.Node;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.registry.Registry;
import vagoth.api.registry.UniqueKeyViolationException;

/**
 * The body of a writer process for the multi-process and crash tests. An
 * implementation's test supplies a main class that calls
 * {@link #run(Function, String[])} with a way to open its registry.
 *
 * <p>Arguments: {@code <dir> <prefix> <count> <sharedKeys>}. The worker adds
 * nodes {@code <prefix>-0...}, updates each one's metadata, and tries to claim
 * each of {@code sharedKeys} keys {@code shared-<i>} on one of its nodes.
 * After every write returns it prints {@code ack <id>} (or
 * {@code claimed <key> <id>}) and flushes, so the parent knows what was
 * acknowledged before it kills the process.
 */
public final class RegistryWorker {
    private RegistryWorker() {
    }

    public static void run(Function<Path, Registry> open, String[] args) {
        Path dir = Path.of(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        int sharedKeys = Integer.parseInt(args[3]);
        PrintStream out = System.out;
        Registry registry = open.apply(dir);
        out.println("ready");
        out.flush();
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i;
            registry.addNode(new Node(id, id, "vm", "t" + (i % 3), Map.of("ram", "512", "cpus", "1"), Map.of(),
                    Map.of("worker", prefix), Set.of("key-" + id), null));
            out.println("ack " + id);
            out.flush();
            registry.updateMetadata(id, Map.of("state", "running", "n", String.valueOf(i)), Set.of());
            out.println("meta " + id);
            out.flush();
            if (i < sharedKeys) {
                try {
                    registry.updateNode(id, NodeUpdate.builder().addKey("shared-" + i).build());
                    out.println("claimed shared-" + i + " " + id);
                    out.flush();
                } catch (UniqueKeyViolationException e) {
                    // another worker holds it: exactly what the test wants to see happen
                }
            }
        }
        out.println("done");
        out.flush();
        if (registry instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
