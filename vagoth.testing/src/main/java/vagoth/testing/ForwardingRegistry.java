package vagoth.testing;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.registry.Registry;

/** A registry that passes every call on: tests override one call to make it fail or lie. */
public class ForwardingRegistry implements Registry {
    private final Registry to;

    public ForwardingRegistry(Registry to) {
        this.to = to;
    }

    @Override
    public Optional<Node> findNode(String id) {
        return to.findNode(id);
    }

    @Override
    public Optional<Node> findNodeByName(String name) {
        return to.findNodeByName(name);
    }

    @Override
    public Optional<Node> findNodeByKey(String key) {
        return to.findNodeByKey(key);
    }

    @Override
    public List<Node> getNodes(NodeQuery query) {
        return to.getNodes(query);
    }

    @Override
    public int size() {
        return to.size();
    }

    @Override
    public Node addNode(Node node) {
        return to.addNode(node);
    }

    @Override
    public Node updateNode(String id, NodeUpdate update) {
        return to.updateNode(id, update);
    }

    @Override
    public Node setParent(String id, String parentId) {
        return to.setParent(id, parentId);
    }

    @Override
    public Node removeParent(String id) {
        return to.removeParent(id);
    }

    @Override
    public void deleteNode(String id) {
        to.deleteNode(id);
    }

    @Override
    public Optional<byte[]> getBlob(String id, String blobName) {
        return to.getBlob(id, blobName);
    }

    @Override
    public void putBlob(String id, String blobName, byte[] data) {
        to.putBlob(id, blobName, data);
    }

    @Override
    public boolean deleteBlob(String id, String blobName) {
        return to.deleteBlob(id, blobName);
    }

    @Override
    public Set<String> listBlobs(String id) {
        return to.listBlobs(id);
    }
}
