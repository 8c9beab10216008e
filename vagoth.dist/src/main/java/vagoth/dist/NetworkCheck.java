package vagoth.dist;

/**
 * The template provisioner's network, checked before a container starts: a
 * range that is inverted or outside its subnet would leave no provisioner
 * (its component refuses to start) and a stack trace on every command.
 */
final class NetworkCheck {
    private NetworkCheck() {
    }

    /** Why {@code subnet}, {@code gateway} and {@code range} do not make a network, naming the key; or null. */
    static String problem(String subnet, String gateway, String range) {
        String[] s = subnet.trim().split("/");
        if (s.length != 2 || ip(s[0]) < 0 || !s[1].matches("[0-9]{1,2}")
                || Integer.parseInt(s[1]) < 8 || Integer.parseInt(s[1]) > 30) {
            return "subnet = " + subnet + ": not an IPv4 network from /8 to /30 (like 10.0.0.0/24)";
        }
        int prefix = Integer.parseInt(s[1]);
        long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        long base = ip(s[0]) & mask;
        if (ip(gateway) < 0) {
            return "gateway = " + gateway + ": not an IPv4 address";
        }
        String[] r = range.trim().split("-");
        if (r.length != 2 || ip(r[0]) < 0 || ip(r[1]) < 0) {
            return "range = " + range + ": not first-last IPv4 addresses (like 10.0.0.10-10.0.0.250)";
        }
        long first = ip(r[0]);
        long last = ip(r[1]);
        if (first > last) {
            return "range = " + range + ": its first address comes after its last";
        }
        if ((first & mask) != base || (last & mask) != base) {
            return "range = " + range + ": not inside subnet " + subnet;
        }
        return null;
    }

    /** The address as an unsigned int, or -1 when it is not one. */
    private static long ip(String dotted) {
        String[] p = dotted.trim().split("\\.");
        if (p.length != 4) {
            return -1;
        }
        long v = 0;
        for (String part : p) {
            if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
                return -1;
            }
            v = v << 8 | Integer.parseInt(part);
        }
        return v;
    }
}
