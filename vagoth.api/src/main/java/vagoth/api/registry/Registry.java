package vagoth.api.registry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;
import vagoth.api.InvalidNameException;
import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.NodeAlreadyHasParentException;
import vagoth.api.NodeInUseException;
import vagoth.api.NodeNotFoundException;
import vagoth.api.NodeQuery;

/**
 * The cluster's memory: every node, with its relationships and unique keys.
 *
 * <p>Rules every implementation keeps (the conformance suite checks them):
 * ids, names and unique keys are unique, and ids and names are one namespace
 * (no node's name is another node's id), so an id or a name names exactly one
 * node; a node's name and keys are released
 * when it is deleted or they are changed; a change that would break a rule
 * throws and is not applied at all; a call that returned is durable; several
 * threads and several processes sharing one registry never lose each other's
 * updates, and a reader sees changes other processes made since it last looked.
 */
@ProviderType
public interface Registry {
    /** Service property: the registry's name, which configuration selects it by. */
    String NAME = "vagoth.registry";


    /** The node with this id, if any. */
    Optional<Node> findNode(String id);

    /** The node with this name, if any. */
    Optional<Node> findNodeByName(String name);

    /** The node holding this unique key, if any. */
    Optional<Node> findNodeByKey(String key);

    /** @throws NodeNotFoundException {@code Node <id> not found in registry.} */
    default Node getNode(String id) {
        return findNode(id).orElseThrow(() -> new NodeNotFoundException(id));
    }

    /** @throws NodeNotFoundException when no node has this name */
    default Node getNodeByName(String name) {
        return findNodeByName(name).orElseThrow(() -> NodeNotFoundException.byName(name));
    }

    /** @throws NodeNotFoundException when no node holds this key */
    default Node getNodeByKey(String key) {
        return findNodeByKey(key).orElseThrow(() -> NodeNotFoundException.byKey(key));
    }

    /**
     * The node an operator means by {@code ref}: the one with that id, else
     * the one with that name (ids and names are one namespace, so at most one
     * matches).
     *
     * @throws vagoth.api.InvalidNameException if {@code ref} could not name a node
     * @throws NodeNotFoundException           {@code Node <ref> not found in registry.}
     */
    default Node resolve(String ref) {
        Names.requireSafe("node name", ref);
        return findNode(ref).or(() -> findNodeByName(ref)).orElseThrow(() -> new NodeNotFoundException(ref));
    }

    default boolean contains(String id) {
        return findNode(id).isPresent();
    }

    /** The nodes matching {@code query}, ordered by id. */
    List<Node> getNodes(NodeQuery query);

    /** The children of {@code parentId}, ordered by id. */
    default List<Node> getChildren(String parentId) {
        return getNodes(NodeQuery.all().withParent(parentId));
    }

    /** How many nodes the registry holds. */
    int size();

    /**
     * Adds a node. Its parent, when it names one, must exist.
     *
     * @return the stored node
     * @throws UniqueKeyViolationException if its id, name or a key is taken
     * @throws InvalidNameException        if a field is malformed ({@link Node#validate()})
     * @throws NodeNotFoundException       if the parent does not exist
     */
    Node addNode(Node node);

    /**
     * Applies {@code update} atomically.
     *
     * @return the node as stored after the update
     * @throws NodeNotFoundException       if there is no such node
     * @throws UniqueKeyViolationException if the new name or an added key is taken
     */
    Node updateNode(String id, NodeUpdate update);

    default Node rename(String id, String newName) {
        return updateNode(id, NodeUpdate.builder().name(newName).build());
    }

    /**
     * Merges {@code merge} into the node's metadata and removes
     * {@code deleteKeys}, atomically.
     */
    default Node updateMetadata(String id, Map<String, String> merge, Collection<String> deleteKeys) {
        return updateNode(id, NodeUpdate.builder().metadata(merge, deleteKeys).build());
    }

    /**
     * Assigns a node to a parent.
     *
     * @throws NodeAlreadyHasParentException if it already has one (unassign first)
     * @throws NodeNotFoundException         if either node does not exist
     */
    Node setParent(String id, String parentId);

    /** Removes a node's parent; a node without one is returned as it is. */
    Node removeParent(String id);

    /**
     * Deletes a node, its blobs, and releases its name and keys.
     *
     * @throws NodeInUseException    if it still has a parent or children
     * @throws NodeNotFoundException if there is no such node
     */
    void deleteNode(String id);

    /** A named blob of a node, if stored. Blob names follow {@link Names#SAFE_NAME}. */
    Optional<byte[]> getBlob(String id, String blobName);

    /** Stores a named blob durably, replacing any blob of that name. */
    void putBlob(String id, String blobName, byte[] data);

    /** @return whether there was such a blob */
    boolean deleteBlob(String id, String blobName);

    /** The names of a node's blobs. */
    Set<String> listBlobs(String id);
}
