package vagoth.registry.postgres.internal;

import java.time.Duration;

import vagoth.api.Node;
import vagoth.api.NodeQuery;

/**
 * A daemon's poll leases in a process of its own: takes its share of the
 * hypervisors every 100 ms (lease: the third argument, in ms), prints how many
 * it holds once it holds some, and runs until killed.
 */
public final class LeaseHolder {
    private LeaseHolder() {
    }

    public static void main(String[] args) throws Exception {
        PostgresRegistry r = new PostgresRegistry(args[0], args[1], "", Duration.ofMillis(Long.parseLong(args[2])));
        boolean told = false;
        while (true) {
            int n = r.take(r.getNodes(NodeQuery.all().withType("hv")).stream().map(Node::id).toList()).size();
            if (!told && n > 0) {
                System.out.println("holding " + n);
                System.out.flush();
                told = true;
            }
            Thread.sleep(100);
        }
    }
}
