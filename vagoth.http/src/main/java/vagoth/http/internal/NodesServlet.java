package vagoth.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import com.google.gson.JsonObject;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.NodeNotFoundException;
import vagoth.api.NodeQuery;
import vagoth.api.access.AccessToken;
import vagoth.api.access.Role;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.registry.Registry;
import vagoth.support.json.NodeJson;

/**
 * {@code /api/v1/nodes}: the nodes, filtered as {@code vagoth list} filters
 * them ({@code ?name=GLOB&type=vm&tenant=T&tag=K=V&parent=HV&state=S}),
 * and one node by name or id, in {@code list --json}'s form. Admin: {@code POST}
 * creates one through the provisioner ({@code {"id": "vm1", "type": "vm",
 * "name": .., "tenant": .., "definition": {"template": "debian"}, "tags":
 * {..}}}, 201), {@code PUT /api/v1/nodes/NAME} changes its name, tenant or
 * tags ({@code {"name": .., "tenant": .., "tags": {"k": "v", "gone": ""}}}),
 * {@code DELETE} removes it through the provisioner.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/nodes",
    "osgi.http.whiteboard.servlet.pattern=/api/v1/nodes/*",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class NodesServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    static final int PAGE = 100;
    static final int MAX_PAGE = 1000;
    static final List<String> FILTERS = List.of("name", "type", "tenant", "tag", "parent", "state");
    private final transient Manager manager;

    private final transient AgentAllowList agents;

    @Activate
    public NodesServlet(@Reference Manager manager, @Reference AgentAllowList agents) {
        this.manager = manager;
        this.agents = agents;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        String ref = Api.rest(req);
        if (ref != null) {
            Api.json(resp, 200, NodeJson.of(manager.registry().resolve(Names.requireSafe("node", ref))));
            return;
        }
        Api.json(resp, 200, list(manager, req, resp, null));
    }

    /**
     * A page of the nodes {@code req}'s filters select, by name: {@code limit}
     * of them (default {@value #PAGE}, at most {@value #MAX_PAGE}) after the
     * name {@code after}; {@code X-Total-Count} says how many match, and a
     * {@code Link} header with {@code rel="next"} names the next page while
     * there is one ({@code type}: only that type, whatever the filters say).
     */
    static List<Object> list(Manager manager, HttpServletRequest req, HttpServletResponse resp, String type) {
        NodeQuery q = type == null ? NodeQuery.all() : NodeQuery.all().withType(type);
        int limit = PAGE;
        String after = null;
        for (Map.Entry<String, String[]> p : req.getParameterMap().entrySet()) {
            String key = p.getKey();
            if (key.equals("limit") || key.equals("after")) {
                if (p.getValue().length != 1) {
                    throw new Api.Refusal(400, key + " is given once");
                }
                if (key.equals("after")) {
                    after = p.getValue()[0];
                } else {
                    try {
                        limit = Integer.parseInt(p.getValue()[0]);
                    } catch (NumberFormatException e) {
                        limit = -1;
                    }
                    if (limit < 1 || limit > MAX_PAGE) {
                        throw new Api.Refusal(400, "limit takes a number from 1 to " + MAX_PAGE + ", not '"
                                + p.getValue()[0] + "'");
                    }
                }
                continue;
            }
            if (!FILTERS.contains(key) || (type != null && key.equals("type"))) {
                throw new Api.Refusal(400, "unknown filter '" + key + "' (" + String.join(", ", FILTERS)
                        + "; and limit, after)");
            }
            for (String v : p.getValue()) {
                q = switch (key) {
                    case "name" -> q.withName(v);
                    case "type" -> q.withType(v);
                    case "tenant" -> q.withTenant(v);
                    case "parent" -> q.withParent(v);
                    case "state" -> q.withState(v);
                    default -> {
                        int eq = v.indexOf('=');
                        if (eq <= 0) {
                            throw new Api.Refusal(400, "tag takes KEY=VALUE, not '" + v + "'");
                        }
                        yield q.withTag(v.substring(0, eq), v.substring(eq + 1));
                    }
                };
            }
        }
        // one pass keeping the page's nodes (the first `limit` by name after `after`): no sort of them all
        List<Node> all = manager.registry().getNodes(q);
        java.util.Comparator<Node> byName = java.util.Comparator.comparing(Node::name);
        java.util.PriorityQueue<Node> page = new java.util.PriorityQueue<>(limit + 1, byName.reversed());
        int remaining = 0;
        for (Node n : all) {
            if (after != null && n.name().compareTo(after) <= 0) {
                continue;
            }
            remaining++;
            if (page.size() < limit) {
                page.add(n);
            } else if (n.name().compareTo(page.peek().name()) < 0) { // one comparison for most nodes
                page.poll();
                page.add(n);
            }
        }
        List<Node> sorted = new ArrayList<>(page);
        sorted.sort(byName);
        List<Object> out = new ArrayList<>(sorted.size());
        for (Node n : sorted) {
            out.add(NodeJson.of(n));
        }
        resp.setHeader("X-Total-Count", String.valueOf(all.size()));
        if (remaining > sorted.size()) {
            String query = req.getQueryString() == null ? "" : req.getQueryString()
                    .replaceAll("(^|&)(after|limit)=[^&]*", "");
            query = (query.isEmpty() || query.startsWith("&") ? query : "&" + query);
            resp.setHeader("Link", "<" + req.getRequestURI() + "?after="
                    + java.net.URLEncoder.encode(sorted.get(sorted.size() - 1).name(),
                            java.nio.charset.StandardCharsets.UTF_8)
                    + "&limit=" + limit + query + ">; rel=\"next\"");
        }
        return out;
    }

    @Override
    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken caller = Api.require(req, Role.ADMIN);
        if (Api.rest(req) != null) {
            throw notServed(req);
        }
        JsonObject o = Body.object(req, Set.of("id", "name", "type", "tenant", "definition", "tags"));
        Map<String, String> f = Body.strings(o, Set.of("id", "name", "type", "tenant"), null);
        if (f.get("id") == null) {
            throw new Api.Refusal(400, "a new node needs its \"id\"");
        }
        String id = Names.requireSafe("node id", f.get("id"));
        Map<String, String> definition = Body.pairs(o, "definition");
        if (definition.containsKey("agent")) {
            agents.check(definition.get("agent")); // an admin token is not a shell on the coordinator
        }
        Map<String, String> tags = Body.pairs(o, "tags");
        Node n = manager.inTransaction("api:" + caller.name(), () -> {
            Node made = manager.provisioner().provision(new ProvisionRequest(id, f.get("name"), f.get("type"),
                    f.get("tenant"), definition, tags, Set.of()));
            if (made.type().equals(vagoth.api.virt.Hypervisor.TYPE)) { // its capacity known before any placement
                try {
                    manager.action("poll", Map.of(vagoth.api.action.Action.NODE_ARG, made.id()));
                } catch (vagoth.api.VagothException e) {
                    return made; // made, not polled: the next poll does it
                }
                return manager.registry().getNode(made.id());
            }
            return made;
        });
        resp.setHeader("Location", "/api/v1/nodes/" + n.name());
        Api.json(resp, 201, NodeJson.of(n));
    }

    @Override
    void put(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken caller = Api.require(req, Role.ADMIN);
        String name = named(req);
        JsonObject o = Body.object(req, Set.of("name", "tenant", "tags"));
        Map<String, String> f = Body.strings(o, Set.of("name", "tenant"), null);
        Map<String, String> tags = Body.pairs(o, "tags");
        Node n = manager.inTransaction("api:" + caller.name(), () -> {
            Registry registry = manager.registry();
            String id = registry.resolve(name).id();
            NodeUpdate.Builder b = NodeUpdate.builder();
            if (f.get("name") != null) {
                b.name(f.get("name"));
            }
            if (f.get("tenant") != null) {
                b.tenant(f.get("tenant"));
            }
            tags.forEach((k, v) -> {
                if (v.isEmpty()) {
                    b.removeTag(k);
                } else {
                    b.tag(k, v);
                }
            });
            Node updated = registry.updateNode(id, b.build());
            if (f.get("name") != null) {
                manager.provisioner().renamed(id); // its DNS name and fqdn follow, as 'vagoth rename' does
                updated = registry.getNode(id);
            }
            return updated;
        });
        Api.json(resp, 200, NodeJson.of(n));
    }

    @Override
    void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken caller = Api.require(req, Role.ADMIN);
        String name = named(req);
        Node n = manager.inTransaction("api:" + caller.name(), () -> {
            Node found = manager.registry().resolve(name);
            manager.provisioner().deprovision(found.id());
            return found;
        });
        Api.json(resp, 200, NodeJson.of(n));
    }

    private static String named(HttpServletRequest req) {
        String name = Api.rest(req);
        if (name == null) {
            throw notServed(req);
        }
        return Names.requireSafe("node name", name);
    }
}
