package vagoth.support.registry;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.NodeAlreadyHasParentException;
import vagoth.api.NodeInUseException;
import vagoth.api.NodeNotFoundException;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.registry.RegistryException;
import vagoth.api.registry.UniqueKeyViolationException;
import vagoth.api.registry.UniqueKeyViolationException.Kind;

/** The registry's rules, one mutation per write operation. */
public final class Mutations {
    private static final int MAX_CHILDREN_NAMED = 5;

    private Mutations() {
    }

    public static Mutation add(Node node) {
        node.validate();
        return state -> {
            if (state.get(node.id()) != null) {
                throw new UniqueKeyViolationException(Kind.ID, node.id(), node.id(), node.id());
            }
            String nameOwner = state.idOfName(node.id());
            if (nameOwner != null) {
                // ids and names are one namespace: a NODE argument must name exactly one node
                throw new UniqueKeyViolationException(Kind.ID, node.id(), nameOwner, node.id());
            }
            checkName(state, node.name(), node.id());
            for (String key : node.keys()) {
                checkKey(state, key, node.id());
            }
            if (node.parent() != null && state.get(node.parent()) == null) {
                throw new NodeNotFoundException("Parent " + node.parent() + " of " + node.id() + " not found in registry.", node.id());
            }
            return new Mutation.Change(List.of(node), List.of(), node, List.of(node.id()));
        };
    }

    public static Mutation update(String id, NodeUpdate update) {
        return state -> {
            Node old = existing(state, id);
            Node updated = update.applyTo(old).validate();
            if (!updated.name().equals(old.name())) {
                checkName(state, updated.name(), id);
            }
            for (String key : updated.keys()) {
                if (!old.keys().contains(key)) {
                    checkKey(state, key, id);
                }
            }
            return updated.equals(old) ? Mutation.Change.none(old) : Mutation.Change.put(updated);
        };
    }

    public static Mutation setParent(String id, String parentId) {
        Names.requireSafe("parent id", parentId);
        return state -> {
            Node node = existing(state, id);
            if (node.parent() != null) {
                throw new NodeAlreadyHasParentException(id, node.parent());
            }
            if (state.get(parentId) == null) {
                throw new NodeNotFoundException("Parent " + parentId + " not found in registry.", id);
            }
            for (String p = parentId; p != null; p = state.get(p).parent()) {
                if (p.equals(id)) {
                    throw new RegistryException("Cannot make " + parentId + " the parent of " + id + ": it would be its own ancestor");
                }
            }
            return Mutation.Change.put(node.withParent(parentId));
        };
    }

    public static Mutation removeParent(String id) {
        return state -> {
            Node node = existing(state, id);
            return node.parent() == null ? Mutation.Change.none(node) : Mutation.Change.put(node.withParent(null));
        };
    }

    public static Mutation delete(String id) {
        return state -> {
            Node node = existing(state, id);
            if (node.parent() != null) {
                throw new NodeInUseException("Node " + id + " is still assigned to parent " + node.parent()
                        + "; unassign it first", id);
            }
            Set<String> children = state.childrenOf(id);
            if (!children.isEmpty()) {
                throw new NodeInUseException("Node " + id + " still has " + children.size() + " child node(s): "
                        + describe(children) + "; unassign them first", id);
            }
            return new Mutation.Change(List.of(), List.of(id), node, List.of());
        };
    }

    /** Succeeds, changing nothing, if the node exists: used to guard blob writes. */
    public static Mutation exists(String id) {
        return state -> Mutation.Change.none(existing(state, id));
    }

    private static String describe(Set<String> ids) {
        TreeSet<String> sorted = new TreeSet<>(ids);
        List<String> first = sorted.stream().limit(MAX_CHILDREN_NAMED).toList();
        return String.join(", ", first) + (sorted.size() > first.size() ? ", ..." : "");
    }

    private static Node existing(RegistryState state, String id) {
        Node n = state.get(id);
        if (n == null) {
            throw new NodeNotFoundException(id);
        }
        return n;
    }

    /** A name is free when no other node has it as its name or as its id (one namespace). */
    private static void checkName(RegistryState state, String name, String id) {
        String owner = state.idOfName(name);
        if (owner == null && !name.equals(id) && state.get(name) != null) {
            owner = name;
        }
        if (owner != null && !owner.equals(id)) {
            throw new UniqueKeyViolationException(Kind.NAME, name, owner, id);
        }
    }

    private static void checkKey(RegistryState state, String key, String id) {
        String owner = state.idOfKey(key);
        if (owner != null && !owner.equals(id)) {
            throw new UniqueKeyViolationException(Kind.KEY, key, owner, id);
        }
    }
}
