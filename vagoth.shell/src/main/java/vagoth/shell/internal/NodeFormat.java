package vagoth.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import vagoth.api.Node;

/** How nodes look on the command line: the original's columns, a tree, a detail view, JSON. */
final class NodeFormat {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
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

    static String json(List<Node> nodes) {
        JsonArray a = new JsonArray();
        nodes.forEach(n -> a.add(toJson(n)));
        return GSON.toJson(a);
    }

    static String json(Node n, List<Node> kids) {
        JsonObject o = toJson(n);
        JsonArray c = new JsonArray();
        kids.stream().map(Node::id).sorted().forEach(c::add);
        o.add("children", c);
        return GSON.toJson(o);
    }

    private static JsonObject toJson(Node n) {
        JsonObject o = new JsonObject();
        o.addProperty("id", n.id());
        o.addProperty("name", n.name());
        o.addProperty("type", n.type());
        o.addProperty("tenant", n.tenant());
        o.addProperty("state", n.state());
        o.addProperty("parent", n.parent());
        o.add("definition", toJson(n.definition()));
        o.add("metadata", toJson(n.metadata()));
        o.add("tags", toJson(n.tags()));
        JsonArray keys = new JsonArray();
        new TreeSet<>(n.keys()).forEach(keys::add);
        o.add("keys", keys);
        return o;
    }

    private static JsonObject toJson(Map<String, String> map) {
        JsonObject o = new JsonObject();
        new TreeMap<>(map).forEach(o::addProperty);
        return o;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }
}
