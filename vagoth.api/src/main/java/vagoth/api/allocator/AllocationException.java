package vagoth.api.allocator;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import vagoth.api.VagothException;

/** No hypervisor can take the virtual machine; {@link #reasons()} says why, per hypervisor. */
public class AllocationException extends VagothException {
    private static final long serialVersionUID = 1L;
    private final Map<String, String> reasons;

    public AllocationException(String vm, Map<String, String> reasons) {
        super("No hypervisor can take " + vm + (reasons.isEmpty() ? ": there are no hypervisors"
                : ": " + new TreeMap<>(reasons).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining("; "))), vm);
        this.reasons = Map.copyOf(reasons);
    }

    public Map<String, String> reasons() {
        return reasons;
    }
}
