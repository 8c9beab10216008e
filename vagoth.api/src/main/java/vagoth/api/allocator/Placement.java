package vagoth.api.allocator;

import java.util.Map;

/**
 * What placing one VM would do: the hypervisor chosen ({@code null} when none
 * can take it) and, for each hypervisor not chosen, why it was refused (or
 * that it fitted less well).
 */
public record Placement(String vm, String chosen, Map<String, String> others) {
    public Placement {
        others = Map.copyOf(others);
    }

    public boolean fits() {
        return chosen != null;
    }
}
