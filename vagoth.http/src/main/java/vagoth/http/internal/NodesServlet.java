package vagoth.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Names;
import vagoth.api.NodeNotFoundException;
import vagoth.api.NodeQuery;
import vagoth.api.access.Role;
import vagoth.support.json.NodeJson;

/**
 * {@code /api/v1/nodes}: the nodes, filtered as {@code vagoth list} filters
 * them ({@code ?name=GLOB&type=vm&tenant=T&tag=K=V&parent=HV&state=S}),
 * and one node by name, in {@code list --json}'s form.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/nodes",
    "osgi.http.whiteboard.servlet.pattern=/api/v1/nodes/*",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class NodesServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final List<String> FILTERS = List.of("name", "type", "tenant", "tag", "parent", "state");
    private final transient Manager manager;

    @Activate
    public NodesServlet(@Reference Manager manager) {
        this.manager = manager;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        String name = Api.rest(req);
        if (name != null) {
            Names.requireSafe("node name", name);
            ManagedNode n = manager.getNodeByName(name);
            if (n == null) {
                throw new NodeNotFoundException(name);
            }
            Api.json(resp, 200, NodeJson.of(n.node()));
            return;
        }
        NodeQuery q = NodeQuery.all();
        for (Map.Entry<String, String[]> p : req.getParameterMap().entrySet()) {
            if (!FILTERS.contains(p.getKey())) {
                throw new Api.Refusal(400, "unknown filter '" + p.getKey() + "' (" + String.join(", ", FILTERS) + ")");
            }
            for (String v : p.getValue()) {
                q = switch (p.getKey()) {
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
        List<Object> out = new ArrayList<>();
        for (ManagedNode n : manager.getNodes(q)) {
            out.add(NodeJson.of(n.node()));
        }
        Api.json(resp, 200, out);
    }
}
