package vagoth.virt.internal;

import java.util.Map;

import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.driver.DriverException;
import vagoth.support.whiteboard.Whiteboard;

/**
 * Drivers by their {@value Driver#NAME}; of two with one name, the higher
 * ranking wins, and when it leaves the other takes its place.
 */
final class DriverBoard {
    static final String DEFAULT = "default";

    private final Whiteboard<Driver> drivers = new Whiteboard<>(Driver.NAME);

    void add(Driver d, Map<String, ?> props) {
        drivers.add(d, props);
    }

    void remove(Driver d, Map<String, ?> props) {
        drivers.remove(d, props);
    }

    /** @throws DriverException naming the missing driver and the installed ones */
    Driver driverFor(Node hv) {
        String name = hv.definition().getOrDefault(Driver.DEFINITION_KEY, DEFAULT);
        return drivers.get(name).orElseThrow(() -> new DriverException(hv.id() + ": no driver '" + name
                + "' is installed (installed: " + String.join(", ", drivers.names()) + ")", hv.id()));
    }
}
