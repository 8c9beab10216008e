package vagoth.shell.internal;

import vagoth.api.Printable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;


import vagoth.api.Node;
import vagoth.api.virt.Capacity;
import vagoth.api.virt.Hypervisor;
import vagoth.support.json.HypervisorJson;
import vagoth.support.json.Json;
import vagoth.support.json.NodeJson;

/** How nodes look on the command line: the original's columns, a tree, a detail view, JSON. */
final class NodeFormat {
    private final Style style;

    NodeFormat(Style style) {
        this.style = style;
    }

    /** {@code devnode1    state=unknown    type=vm  parent=}, columns aligned across the listing. */
    String list(List<Node> nodes) {
        List<String> out = new ArrayList<>();
        Columns columns = new Columns(nodes, n -> 0);
        nodes.forEach(n -> out.add(columns.line(n, "")));
        return String.join("\n", out);
    }

    /** Column widths that fit every node of a listing (with its indentation, in a tree). */
    private final class Columns {
        private final int name;
        private final int state;
        private final int type;

        Columns(List<Node> nodes, java.util.function.ToIntFunction<Node> indent) {
            name = Math.max(8, nodes.stream().mapToInt(n -> indent.applyAsInt(n) + n.name().length()).max().orElse(0)) + 4;
            state = Math.max(7, nodes.stream().mapToInt(n -> Printable.of(n.state()).length()).max().orElse(0)) + 4;
            type = Math.max(2, nodes.stream().mapToInt(n -> n.type().length()).max().orElse(0)) + 2;
        }

        String line(Node n, String indent) {
            String st = Printable.of(n.state());
            return pad(indent + n.name(), name) + "state=" + style.state(st)
                    + " ".repeat(Math.max(1, state - st.length())) + pad("type=" + n.type(), type + 5) + "parent="
                    + (n.parent() == null ? "" : n.parent());
        }
    }

    /** Parents with their children indented under them; nodes that have children or are hypervisors first. */
    String tree(List<Node> all) {
        Map<String, List<Node>> children = new HashMap<>();
        Map<String, Node> byId = new HashMap<>();
        List<Node> roots = new ArrayList<>();
        for (Node n : all) {
            byId.put(n.id(), n);
            if (n.parent() == null) {
                roots.add(n);
            } else {
                children.computeIfAbsent(n.parent(), p -> new ArrayList<>()).add(n);
            }
        }
        roots.sort(Comparator.comparing((Node n) -> !(children.containsKey(n.id()) || n.type().equals("hv")))
                .thenComparing(Node::name));
        Columns columns = new Columns(all, n -> INDENT.length() * depth(n, byId));
        List<String> out = new ArrayList<>();
        for (Node root : roots) {
            addTree(out, root, children, "", columns);
        }
        return String.join("\n", out);
    }

    private static final String INDENT = "    ";

    private static int depth(Node n, Map<String, Node> byId) {
        int d = 0;
        for (Node p = n; p.parent() != null && byId.containsKey(p.parent()) && d < byId.size(); p = byId.get(p.parent())) {
            d++;
        }
        return d;
    }

    private void addTree(List<String> out, Node node, Map<String, List<Node>> children, String indent, Columns columns) {
        out.add(columns.line(node, indent));
        List<Node> kids = new ArrayList<>(children.getOrDefault(node.id(), List.of()));
        kids.sort(Comparator.comparing(Node::name));
        for (Node k : kids) {
            addTree(out, k, children, indent + INDENT, columns);
        }
    }

    /** Every field of one node. */
    String info(Node n, List<Node> kids) {
        StringBuilder sb = new StringBuilder();
        field(sb, "id", n.id());
        field(sb, "name", n.name());
        field(sb, "type", n.type());
        field(sb, "tenant", n.tenant());
        field(sb, "state", style.state(Printable.of(n.state())));
        field(sb, "parent", n.parent() == null ? "" : n.parent());
        field(sb, "children", String.join(" ", kids.stream().map(Node::name).sorted().toList()));
        field(sb, "keys", String.join(" ", new TreeSet<>(n.keys())));
        field(sb, "tags", pairs(n.tags(), " "));
        section(sb, "definition", n.definition());
        section(sb, "metadata", n.metadata());
        return sb.toString().stripTrailing();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(value.isEmpty() ? name + ":" : pad(name + ":", 12) + value).append('\n');
    }

    private static void section(StringBuilder sb, String name, Map<String, String> map) {
        sb.append(name).append(":\n");
        new TreeMap<>(map).forEach((k, v) -> sb.append("    ").append(k).append('=').append(Printable.of(v)).append('\n'));
    }

    private static String pairs(Map<String, String> map, String sep) {
        List<String> out = new ArrayList<>();
        new TreeMap<>(map).forEach((k, v) -> out.add(k + "=" + Printable.of(v)));
        return String.join(sep, out);
    }

    /** {@code hyper1    state=up    vms=2  ram=1536/16384  free=14848  cpus=2/8  maintenance=off} */
    String hypervisors(List<Hypervisor> hvs) {
        int nameWidth = Math.max(8, hvs.stream().mapToInt(h -> h.name().length()).max().orElse(0)) + 4;
        int stateWidth = Math.max(11, hvs.stream().mapToInt(h -> h.state().length()).max().orElse(0)) + 2;
        List<String> out = new ArrayList<>();
        for (Hypervisor hv : hvs) {
            Capacity c = hv.capacity();
            out.add(String.format("%-" + nameWidth + "s", hv.name()) + "state=" + style.state(hv.state())
                    + " ".repeat(Math.max(1, stateWidth - hv.state().length())) + "vms=" + c.vms() + "  ram="
                    + c.ramUsed() + "/" + known(c.memTotal()) + "  free=" + known(c.ramFree()) + "  cpus=" + c.cpusUsed()
                    + "/" + known(c.cpus()) + "  maintenance=" + (hv.inMaintenance() ? "on" : "off")
                    + (hv.fenced() ? "  fenced" : ""));
        }
        return String.join("\n", out);
    }

    private static String known(long n) {
        return n < 0 ? "?" : String.valueOf(n);
    }

    /**
     * Hypervisors as {@link #json(List)} has them, each with what {@code listhv}
     * shows: {@code capacity} (VM count, RAM and CPUs used of total, free RAM;
     * null where unknown), {@code maintenance} and {@code fenced}.
     */
    static String hypervisorsJson(List<Hypervisor> hvs) {
        return Json.pretty(hvs.stream().map(HypervisorJson::of).toList());
    }

    static String json(List<Node> nodes) {
        return Json.pretty(nodes.stream().map(NodeFormat::toJson).toList());
    }

    static String json(Node n, List<Node> kids) {
        Map<String, Object> o = toJson(n);
        o.put("children", kids.stream().map(Node::id).sorted().toList());
        return Json.pretty(o);
    }

    private static Map<String, Object> toJson(Node n) {
        return NodeJson.of(n);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }
}
