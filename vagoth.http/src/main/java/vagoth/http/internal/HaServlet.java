package vagoth.http.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import vagoth.api.Manager;
import vagoth.api.virt.HighAvailability;
import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.access.AccessToken;
import vagoth.api.access.Role;
import vagoth.api.action.Action;
import vagoth.support.json.HaJson;

/**
 * {@code GET /api/v1/ha} (viewer): high availability as {@code ha status
 * --json} shows it: each VM that asks for it, highest priority first, with
 * what recovery did, and each host recovery could not fence, with why.
 * {@code PUT /api/v1/ha/NAME} (operator) with {@code {"on": true,
 * "priority": N}} or {@code {"on": false}}: as {@code vagoth ha [--priority
 * N] VM on|off}.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/ha",
    "osgi.http.whiteboard.servlet.pattern=/api/v1/ha/*",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class HaServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    /** As {@code ha --priority} takes it. */
    private static final int MAX_PRIORITY = 1000;
    private final transient Manager manager;

    @Activate
    public HaServlet(@Reference Manager manager) {
        this.manager = manager;
    }

    /** This process's recovery: optional, as vagoth.virt is one plugin among others. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile HighAvailability highAvailability;

    private HighAvailability.Status recovery() {
        HighAvailability h = highAvailability;
        return h == null ? null : h.status();
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        if (Api.rest(req) != null) {
            throw notServed(req);
        }
        Api.json(resp, 200, HaJson.status(manager.registry(), recovery()));
    }

    @Override
    void put(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken caller = Api.require(req, Role.OPERATOR);
        String name = Api.rest(req);
        if (name == null || name.contains("/")) {
            throw notServed(req);
        }
        Node vm = manager.registry().resolve(Names.requireSafe("VM name", name));
        JsonObject body = Body.object(req, Set.of("on", "priority"));
        Boolean on = Body.bool(body, "on");
        if (on == null) {
            throw new Api.Refusal(400, "ha needs {\"on\": true or false} (and \"priority\": N with true)");
        }
        Map<String, String> args = new HashMap<>(Map.of(Action.NODE_ARG, vm.id(), "on", on.toString()));
        JsonElement priority = body.get("priority");
        if (priority != null) {
            if (!priority.isJsonPrimitive() || !priority.getAsJsonPrimitive().isNumber()
                    || !priority.getAsString().matches("-?\\d{1,4}") || Math.abs(priority.getAsInt()) > MAX_PRIORITY
                    || !on) {
                throw new Api.Refusal(400, on ? "field 'priority' takes a whole number from -" + MAX_PRIORITY + " to "
                        + MAX_PRIORITY + ", not " + priority : "field 'priority' goes with \"on\": true");
            }
            args.put("priority", priority.getAsString());
        }
        Api.json(resp, 200, manager.inTransaction("api:" + caller.name(), () -> manager.action("ha", args)));
    }
}
