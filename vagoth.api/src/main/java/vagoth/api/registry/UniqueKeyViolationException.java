package vagoth.api.registry;

import vagoth.api.Node;
import vagoth.api.VagothException;

/**
 * A change would give two nodes the same id, name or unique key. The change
 * is not applied at all.
 */
public class UniqueKeyViolationException extends VagothException {
    private static final long serialVersionUID = 1L;

    /** Which uniqueness rule was broken. */
    public enum Kind {
        ID, NAME, KEY
    }

    private final Kind kind;
    private final String value;
    private final String owner;

    public UniqueKeyViolationException(Kind kind, String value, String owner, String node) {
        super(describe(kind, value, owner), node);
        this.kind = kind;
        this.value = value;
        this.owner = owner;
    }

    private static String describe(Kind kind, String value, String owner) {
        return switch (kind) {
            case ID -> value.equals(owner) ? "Node id " + value + " is already in use"
                    : "Node id " + value + " is already the name of node " + owner;
            case NAME -> value.equals(owner) ? "Name " + value + " is already used by node " + owner + " (as its id)"
                    : "Name " + value + " is already used by node " + owner;
            case KEY -> "Key " + value + " is already held by node " + owner;
        };
    }

    public Kind kind() {
        return kind;
    }

    /** The id, name or key that is taken. */
    public String value() {
        return value;
    }

    /** The node that already holds it. */
    public String owner() {
        return owner;
    }
}
