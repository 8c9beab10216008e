package vagoth.agent;

import java.util.List;
import java.util.Map;

/**
 * What a guest's definition says of its network and of who may log in, read
 * the same way by every back end: {@code bridge} (an interface name; none, no
 * network), {@code mac} and {@code ssh_authorized_keys} (one key a line; a
 * literal {@code \n} also separates them, as a one-line argument can only
 * say it).
 */
final class GuestNetwork {
    private GuestNetwork() {
    }

    /** The bridge the guest is attached to, or null for none. */
    static String bridge(String name, Map<String, String> def) throws AgentException {
        String bridge = def.get("bridge");
        if (bridge == null || bridge.isBlank()) {
            return null;
        }
        if (!bridge.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,14}")) {
            throw new AgentException("bad_definition", name + ": bridge '" + bridge + "' is not an interface name");
        }
        return bridge;
    }

    /** The definition's MAC in lower case, or null when it names none. */
    static String mac(String name, Map<String, String> def) throws AgentException {
        String mac = def.get("mac");
        if (mac == null || mac.isBlank()) {
            return null;
        }
        if (!mac.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new AgentException("bad_definition", name + ": mac=" + mac + " is not a MAC address");
        }
        return mac.toLowerCase(java.util.Locale.ROOT);
    }

    /** Root's authorized keys, one an element. */
    static List<String> authorizedKeys(Map<String, String> def) {
        return def.getOrDefault("ssh_authorized_keys", "").replace("\\n", "\n").lines().map(String::trim)
                .filter(l -> !l.isEmpty()).toList();
    }
}
