package vagoth.api.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import vagoth.api.Node;
import vagoth.api.NodeQuery;

/**
 * Copies every node and blob of one registry into another (moving an
 * installation from the file registry to PostgreSQL, or back), then verifies
 * the copy node by node and blob by blob.
 */
public final class RegistryCopy {

    /**
     * What was copied.
     *
     * @param nodes how many nodes
     * @param blobs how many blobs
     */
    public record Copied(int nodes, int blobs) {
    }

    private RegistryCopy() {
    }

    /**
     * Copies {@code from} into {@code to}. A target that already holds nodes is
     * refused unless {@code replace}, which first deletes what it holds.
     *
     * @throws RegistryException if the target is not empty (and not to be
     *                           replaced), or the copy does not match the source
     */
    public static Copied copy(Registry from, Registry to, boolean replace) {
        if (to.size() > 0) {
            if (!replace) {
                throw new RegistryException("The target registry already holds " + to.size()
                        + " node(s); nothing was copied (replace them with --replace)");
            }
            clear(to);
        }
        List<Node> nodes = from.getNodes(NodeQuery.all());
        for (Node n : nodes) {
            to.addNode(n.withParent(null));
        }
        int blobs = 0;
        for (Node n : nodes) {
            if (n.parent() != null) {
                to.setParent(n.id(), n.parent());
            }
            for (String blob : from.listBlobs(n.id())) {
                Optional<byte[]> data = from.getBlob(n.id(), blob);
                if (data.isPresent()) {
                    to.putBlob(n.id(), blob, data.get());
                    blobs++;
                }
            }
        }
        verify(from, to, nodes);
        return new Copied(nodes.size(), blobs);
    }

    private static void clear(Registry r) {
        List<Node> all = r.getNodes(NodeQuery.all());
        for (Node n : all) {
            if (n.parent() != null) {
                r.removeParent(n.id());
            }
        }
        for (Node n : all) {
            r.deleteNode(n.id());
        }
    }

    private static void verify(Registry from, Registry to, List<Node> nodes) {
        List<String> wrong = new ArrayList<>();
        for (Node n : nodes) {
            Optional<Node> copy = to.findNode(n.id());
            if (copy.isEmpty() || !copy.get().equals(n)) {
                wrong.add(n.id());
                continue;
            }
            if (!from.listBlobs(n.id()).equals(to.listBlobs(n.id()))) {
                wrong.add(n.id() + " (blobs)");
                continue;
            }
            for (String blob : from.listBlobs(n.id())) {
                if (!Arrays.equals(from.getBlob(n.id(), blob).orElse(null), to.getBlob(n.id(), blob).orElse(null))) {
                    wrong.add(n.id() + " (blob " + blob + ")");
                }
            }
        }
        if (to.size() != nodes.size()) {
            wrong.add("the target holds " + to.size() + " nodes, the source " + nodes.size());
        }
        if (!wrong.isEmpty()) {
            throw new RegistryException("The copy does not match the source: " + String.join(", ",
                    wrong.subList(0, Math.min(10, wrong.size()))) + (wrong.size() > 10 ? ", ..." : ""));
        }
    }
}
