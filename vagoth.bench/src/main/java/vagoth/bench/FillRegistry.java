package vagoth.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import vagoth.api.Node;
import vagoth.registry.file.internal.FileRegistry;

/**
 * Fills a home's registry with VMs (the benchmark node shape) for the
 * command-line benchmark: {@code FillRegistry <VAGOTH_HOME> <count>
 * [provisioned]}. With {@code provisioned} each VM also holds the address and
 * MAC of its unique keys in its definition, as the template provisioner leaves
 * it (so a provisioner that rewrites DNS for every VM has them all to write).
 */
public final class FillRegistry {
    private FillRegistry() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0], "var", "registry");
        long n = Long.parseLong(args[1]);
        boolean provisioned = args.length > 2 && args[2].equals("provisioned");
        try (FileRegistry r = new FileRegistry(dir, 4L << 20)) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 16; w++) {
                int ww = w;
                fs.add(pool.submit(() -> {
                    for (long i = ww; i < n; i += 16) {
                        r.addNode(provisioned ? Nodes.provisionedVm(i) : Nodes.vm(i, null));
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            r.compact();
            System.out.println("filled " + r.size() + " nodes in " + dir);
        }
    }
}
