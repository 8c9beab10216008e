package vagoth.allocator.capacity.internal;

import java.util.Map;

import vagoth.api.Node;
import vagoth.api.allocator.AllocationException;

/** What a VM asks for: {@code ram} (MB) and {@code cpus} from its definition; 0 when not given. */
record Demand(long ram, long cpus) {
    static Demand of(Node vm) {
        return new Demand(number(vm, "ram"), number(vm, "cpus"));
    }

    boolean asksNothing() {
        return ram == 0 && cpus == 0;
    }

    private static long number(Node vm, String key) {
        String v = vm.definition().get(key);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new AllocationException(vm.id(), Map.of("(definition)", key + "=" + v + " is not a whole number"));
        }
    }
}
