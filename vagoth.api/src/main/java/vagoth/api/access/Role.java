package vagoth.api.access;

import java.util.Locale;

/** What a token may do; each role may do what the ones before it may. */
public enum Role {
    /** reads everything */
    VIEWER,
    /** also runs VM actions and manages jobs */
    OPERATOR,
    /** also changes nodes, hypervisors, tokens and plugins */
    ADMIN;

    /** Whether this role may do what {@code needed} may. */
    public boolean includes(Role needed) {
        return ordinal() >= needed.ordinal();
    }

    /** The role's name as operators type it ({@code viewer}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code name} (any case). @throws IllegalArgumentException naming the roles there are */
    public static Role of(String name) {
        for (Role r : values()) {
            if (r.label().equalsIgnoreCase(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "' (viewer, operator or admin)");
    }
}
