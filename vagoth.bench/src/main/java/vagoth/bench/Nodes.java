package vagoth.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import vagoth.api.Node;

/** The node shape benchmarks use: a VM with a ten-key definition, two tags and two unique keys. */
final class Nodes {
    private Nodes() {
    }

    static String vmId(long i) {
        return "vm-" + i;
    }

    static String hvId(long i) {
        return "hv-" + i;
    }

    static Node vm(long i, String parent) {
        Map<String, String> def = new LinkedHashMap<>();
        def.put("template", "debian");
        def.put("ram", String.valueOf(512 << (i % 4)));
        def.put("cpus", String.valueOf(1 + i % 4));
        def.put("disk", "20G");
        def.put("network", "lan" + (i % 3));
        def.put("bridge", "br0");
        def.put("image", "debian-12-generic-amd64");
        def.put("kernel", "6.1.0-" + (i % 20));
        def.put("os", "linux");
        def.put("owner", "team-" + (i % 50));
        return new Node(vmId(i), "name-" + i, "vm", "t" + (i % 10), def, Map.of("state", "running"),
                Map.of("role", i % 2 == 0 ? "web" : "db", "env", i % 5 == 0 ? "prod" : "dev"),
                Set.of(ip(i), "mac-02:00:" + hex(i >> 24) + ":" + hex(i >> 16) + ":" + hex(i >> 8) + ":" + hex(i)), parent);
    }

    /** A VM as the template provisioner leaves it: its address and MAC in its definition and as its keys. */
    static Node provisionedVm(long i) {
        Node n = vm(i, null);
        Map<String, String> def = new LinkedHashMap<>(n.definition());
        String ip = ip(i).substring(3);
        String mac = "02:00:" + hex(i >> 24) + ":" + hex(i >> 16) + ":" + hex(i >> 8) + ":" + hex(i);
        def.put("ip", ip);
        def.put("mac", mac);
        def.put("fqdn", n.name() + ".vagoth.local");
        return n.withDefinition(def);
    }

    static String ip(long i) {
        return "ip-10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
    }

    private static String hex(long b) {
        return String.format("%02x", b & 255);
    }
}
