package vagoth.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Plugins;
import vagoth.api.access.Role;
import vagoth.api.provision.TemplateCatalog;

/**
 * {@code GET /api/v1/templates} (each template's definition, as
 * {@code templates --json}) and {@code GET /api/v1/plugins} (each concept's
 * implementations and which is active, as {@code plugins}); viewer.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/templates",
    "osgi.http.whiteboard.servlet.pattern=/api/v1/plugins",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class CatalogServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TemplateCatalog templates;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Plugins plugins;

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        if (Api.rest(req) != null) {
            throw notServed(req);
        }
        if (req.getServletPath().equals("/api/v1/templates")) {
            TemplateCatalog catalog = templates;
            if (catalog == null) {
                throw new Api.Refusal(409, "no template catalog: the template provisioner is not selected");
            }
            Map<String, Object> all = new TreeMap<>();
            catalog.templates().forEach((name, def) -> all.put(name, new TreeMap<>(def)));
            Api.json(resp, 200, all);
            return;
        }
        Plugins p = plugins;
        if (p == null) {
            throw new Api.Refusal(503, "the plugin inventory is not there yet");
        }
        List<Object> out = new ArrayList<>();
        for (Plugins.Plugin row : p.plugins()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("concept", row.concept());
            o.put("name", row.name());
            o.put("state", row.state().label());
            o.put("bundle", row.bundle());
            o.put("service", row.serviceId() < 0 ? null : row.serviceId());
            out.add(o);
        }
        Api.json(resp, 200, out);
    }
}
