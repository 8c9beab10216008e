package vagoth.provisioner.template.internal;

import vagoth.api.provision.ProvisioningException;

/**
 * One IPv4 network: its subnet, gateway, the range addresses are handed out
 * from, and its DNS domain. Addresses are held as unsigned ints.
 */
record Network(long base, int prefix, long gateway, long first, long last, String domain) {

    static Network parse(String subnet, String gateway, String range, String domain) {
        try {
            String[] s = subnet.trim().split("/");
            int prefix = Integer.parseInt(s[1]);
            if (prefix < 8 || prefix > 30) {
                throw new IllegalArgumentException("prefix /" + prefix + " is not between /8 and /30");
            }
            long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
            long base = ip(s[0]) & mask;
            String[] r = range.trim().split("-");
            Network n = new Network(base, prefix, ip(gateway), ip(r[0]), ip(r[1]), domain.trim());
            if (!n.contains(n.first) || !n.contains(n.last) || n.first > n.last) {
                throw new IllegalArgumentException("range " + range + " is not inside " + subnet);
            }
            return n;
        } catch (RuntimeException e) {
            throw new ProvisioningException("The provisioner's network is misconfigured (subnet=" + subnet + " gateway="
                    + gateway + " range=" + range + "): " + e.getMessage(), null);
        }
    }

    static long ip(String dotted) {
        String[] p = dotted.trim().split("\\.");
        if (p.length != 4) {
            throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address");
        }
        long v = 0;
        for (String part : p) {
            int b = Integer.parseInt(part);
            if (b < 0 || b > 255 || !part.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    static String dotted(long ip) {
        return ((ip >> 24) & 255) + "." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255);
    }

    long broadcast() {
        return base | (0xFFFFFFFFL >>> prefix);
    }

    boolean contains(long ip) {
        return ip > base && ip < broadcast();
    }

    String netmask() {
        return dotted((0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL);
    }

    /** A locally administered, unicast MAC derived from the address: unique when the address is. */
    static String macFor(long ip) {
        return String.format("02:00:%02x:%02x:%02x:%02x", (ip >> 24) & 255, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    }

    static boolean isMac(String mac) {
        return mac.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}") && (Integer.parseInt(mac.substring(0, 2), 16) & 1) == 0
                && !mac.equals("00:00:00:00:00:00");
    }
}
