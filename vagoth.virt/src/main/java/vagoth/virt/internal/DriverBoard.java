package vagoth.virt.internal;

import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Constants;

import vagoth.api.Node;
import vagoth.api.virt.Driver;
import vagoth.api.virt.DriverException;

/** Drivers by their {@value Driver#NAME}; of two with one name, the higher ranking wins. */
final class DriverBoard {
    static final String DEFAULT = "default";

    private record Ranked(Driver driver, int ranking) {
    }

    private final Map<String, Ranked> byName = new ConcurrentHashMap<>();

    void add(Driver d, Map<String, ?> props) {
        Object name = props.get(Driver.NAME);
        int ranking = props.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
        if (name instanceof String n) {
            byName.merge(n, new Ranked(d, ranking), (old, neu) -> neu.ranking() > old.ranking() ? neu : old);
        }
    }

    void remove(Driver d, Map<String, ?> props) {
        if (props.get(Driver.NAME) instanceof String n) {
            byName.computeIfPresent(n, (k, r) -> r.driver() == d ? null : r);
        }
    }

    /** @throws DriverException naming the missing driver and the installed ones */
    Driver driverFor(Node hv) {
        String name = hv.definition().getOrDefault(Driver.DEFINITION_KEY, DEFAULT);
        Ranked r = byName.get(name);
        if (r == null) {
            throw new DriverException(hv.id() + ": no driver '" + name + "' is installed (installed: "
                    + String.join(", ", new TreeSet<>(byName.keySet())) + ")", hv.id());
        }
        return r.driver();
    }
}
