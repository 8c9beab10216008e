package vagoth.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Names;
import vagoth.api.NodeQuery;
import vagoth.api.access.AccessToken;
import vagoth.api.action.Action;
import vagoth.api.access.Role;
import vagoth.api.virt.Hypervisor;
import vagoth.support.json.HypervisorJson;

/**
 * {@code /api/v1/hypervisors}: every hypervisor with its capacity as
 * {@code listhv --json} shows it, one by name, and
 * {@code PUT /api/v1/hypervisors/NAME/maintenance} with {@code {"on": "true"}}
 * or {@code "false"} (admin); {@code POST /api/v1/hypervisors/NAME/fence}
 * ({@code {"command": "true"}} to prove it with the configured fence
 * command) and {@code .../unfence} (admin): fencing states that the host is
 * powered off, so its lost VMs are released to start elsewhere.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/hypervisors",
    "osgi.http.whiteboard.servlet.pattern=/api/v1/hypervisors/*",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class HypervisorsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient Manager manager;

    @Activate
    public HypervisorsServlet(@Reference Manager manager) {
        this.manager = manager;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        String name = Api.rest(req);
        if (name != null) {
            Api.json(resp, 200, HypervisorJson.of(hypervisor(name)));
            return;
        }
        List<Object> out = new ArrayList<>();
        for (ManagedNode n : manager.getNodes(NodeQuery.all().withType(Hypervisor.TYPE))) {
            if (n instanceof Hypervisor hv) {
                out.add(HypervisorJson.of(hv));
            }
        }
        Api.json(resp, 200, out);
    }

    @Override
    void put(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken caller = Api.require(req, Role.ADMIN);
        String rest = Api.rest(req);
        if (rest == null || !rest.endsWith("/maintenance")) {
            throw notServed(req);
        }
        Hypervisor hv = hypervisor(rest.substring(0, rest.length() - "/maintenance".length()));
        Map<String, String> body = Body.fields(req, Set.of("on"));
        String on = body.get("on");
        if (!"true".equals(on) && !"false".equals(on)) {
            throw new Api.Refusal(400, "maintenance takes {\"on\": \"true\"} or {\"on\": \"false\"}");
        }
        manager.inTransaction("api:" + caller.name(), () -> hv.maintenance(on.equals("true")));
        Api.json(resp, 200, HypervisorJson.of(hypervisor(hv.name())));
    }

    @Override
    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken caller = Api.require(req, Role.ADMIN);
        String rest = Api.rest(req);
        int slash = rest == null ? -1 : rest.lastIndexOf('/');
        String what = slash < 0 ? "" : rest.substring(slash + 1);
        if (!what.equals("fence") && !what.equals("unfence")) {
            throw notServed(req);
        }
        Hypervisor hv = hypervisor(rest.substring(0, slash));
        Map<String, String> body = Body.fields(req, what.equals("fence") ? Set.of("command") : Set.of());
        String command = body.getOrDefault("command", "false");
        if (!command.equals("true") && !command.equals("false")) {
            throw new Api.Refusal(400, "command takes \"true\" or \"false\"");
        }
        Object released = manager.inTransaction("api:" + caller.name(), () -> manager.action(what,
                command.equals("true") ? Map.of(Action.NODE_ARG, hv.id(), "command", "true")
                        : Map.of(Action.NODE_ARG, hv.id())));
        Map<String, Object> o = HypervisorJson.of(hypervisor(hv.name()));
        if (what.equals("fence")) {
            o.put("released", released instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of());
        }
        Api.json(resp, 200, o);
    }

    private Hypervisor hypervisor(String name) {
        Names.requireSafe("hypervisor name", name);
        ManagedNode n = manager.getNode(manager.registry().resolve(name).id());
        if (!(n instanceof Hypervisor hv)) {
            throw new Api.Refusal(404, name + " is not a hypervisor");
        }
        return hv;
    }
}
