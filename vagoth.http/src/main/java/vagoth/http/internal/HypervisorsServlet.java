package vagoth.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonObject;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.access.AccessToken;
import vagoth.api.action.Action;
import vagoth.api.access.Role;
import vagoth.api.VagothException;
import vagoth.api.allocator.Placement;
import vagoth.api.job.Job;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;
import vagoth.support.json.JobJson;
import vagoth.support.json.HypervisorJson;

/**
 * {@code /api/v1/hypervisors}: every hypervisor with its capacity as
 * {@code listhv --json} shows it, one by name, and
 * {@code PUT /api/v1/hypervisors/NAME/maintenance} with {@code {"on": true}}
 * or {@code "false"} (admin); {@code POST /api/v1/hypervisors/NAME/fence}
 * ({@code {"command": true}} to prove it with the configured fence
 * command; {@code {"stop_duplicates": true}} for a fenced host that answers
 * again: stop the copies it runs of VMs released from it, and stay fenced)
 * and {@code .../unfence} (admin): fencing states that the host is powered
 * off, so its lost VMs are released to start elsewhere. Each hypervisor says
 * which VMs it still runs copies of ({@code duplicates}).
 * {@code GET .../evacuate} plans emptying it (viewer); {@code POST
 * .../evacuate} (admin) puts it in maintenance and queues the moves.
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
        if (name != null && name.endsWith("/evacuate")) {
            Hypervisor hv = hypervisor(name.substring(0, name.length() - "/evacuate".length()));
            Api.json(resp, 200, evacuation(hv, false, false));
            return;
        }
        if (name != null) {
            Api.json(resp, 200, json(hypervisor(name)));
            return;
        }
        List<Hypervisor> hvs = new ArrayList<>();
        for (ManagedNode n : manager.getNodes(NodeQuery.all().withType(Hypervisor.TYPE))) {
            if (n instanceof Hypervisor hv) {
                hvs.add(hv);
            }
        }
        Map<String, List<String>> duplicates = hvs.stream().anyMatch(Hypervisor::fenced) ? duplicates() : Map.of();
        List<Object> out = new ArrayList<>();
        for (Hypervisor hv : hvs) {
            out.add(json(hv, duplicates));
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
        Boolean on = Body.flag(req, "on");
        if (on == null) {
            throw new Api.Refusal(400, "maintenance needs {\"on\": true or false}");
        }
        manager.inTransaction("api:" + caller.name(), () -> hv.maintenance(on));
        Api.json(resp, 200, json(hypervisor(hv.name())));
    }

    @Override
    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken caller = Api.require(req, Role.ADMIN);
        String rest = Api.rest(req);
        int slash = rest == null ? -1 : rest.lastIndexOf('/');
        String what = slash < 0 ? "" : rest.substring(slash + 1);
        if (!what.equals("fence") && !what.equals("unfence") && !what.equals("evacuate")) {
            throw notServed(req);
        }
        Hypervisor hv = hypervisor(rest.substring(0, slash));
        if (what.equals("evacuate")) {
            boolean live = Boolean.TRUE.equals(Body.flag(req, "live"));
            Map<String, Object> done = manager.inTransaction("api:" + caller.name(), () -> evacuation(hv, true, live));
            Api.json(resp, 202, done);
            return;
        }
        JsonObject body = Body.object(req, what.equals("fence") ? Set.of("command", "stop_duplicates")
                : Set.of("stop_duplicates"));
        Map<String, String> args = new HashMap<>(Map.of(Action.NODE_ARG, hv.id()));
        for (String flag : body.keySet()) {
            if (Boolean.TRUE.equals(Body.bool(body, flag))) {
                args.put(flag, "true");
            }
        }
        if (args.containsKey("command") && args.containsKey("stop_duplicates")) {
            throw new Api.Refusal(400, "stop_duplicates is for a host already fenced: it runs no fence command");
        }
        Object result = manager.inTransaction("api:" + caller.name(), () -> manager.action(what, args));
        Map<String, Object> o = json(hypervisor(hv.name()));
        if (what.equals("fence")) {
            o.put("released", names(result instanceof Map<?, ?> m ? m.get("released") : null));
            o.put("gone", names(result instanceof Map<?, ?> m ? m.get("gone") : null));
            if (args.containsKey("stop_duplicates")) {
                o.put("stopped", names(result instanceof Map<?, ?> m ? m.get("stopped") : null));
            }
        } else {
            o.put("stopped", names(result));
        }
        Api.json(resp, 200, o);
    }

    /** A hypervisor as {@link HypervisorJson} shows it, and the VMs it still runs copies of, when fenced. */
    private Map<String, Object> json(Hypervisor hv) {
        return json(hv, hv.fenced() ? duplicates() : Map.of());
    }

    private static Map<String, Object> json(Hypervisor hv, Map<String, List<String>> duplicates) {
        Map<String, Object> o = HypervisorJson.of(hv);
        o.put("duplicates", duplicates.getOrDefault(hv.id(), List.of()));
        return o;
    }

    /** For each hypervisor, the VMs it was reported still running after they were released from it. */
    private Map<String, List<String>> duplicates() {
        Map<String, List<String>> out = new HashMap<>();
        for (Node vm : manager.registry().getNodes(NodeQuery.all().withType(VirtualMachine.TYPE))) {
            String on = vm.metadata().get(VmStates.DUPLICATE_ON);
            if (on != null) {
                out.computeIfAbsent(on, k -> new ArrayList<>()).add(vm.name());
            }
        }
        return out;
    }

    private static List<String> names(Object list) {
        return list instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

    /**
     * {@code evacuate}'s plan for {@code hv}: a move for each of its VMs that
     * fits elsewhere (all planned together), and the reasons for each that fits
     * nowhere. With {@code act}, {@code hv} is put in maintenance first and each
     * move is queued as a migration job (the scheduler runs as many at once as
     * it has threads): a VM already moving, or refused, is named with why.
     * Safe to repeat: what moved is no longer on {@code hv}.
     */
    private Map<String, Object> evacuation(Hypervisor hv, boolean act, boolean live) {
        if (act && !hv.inMaintenance()) {
            hv.maintenance(true);
        }
        List<Placement> plan = hv.planEvacuation().placements();
        List<Object> moves = new ArrayList<>();
        List<Object> stays = new ArrayList<>();
        for (Placement p : plan) {
            Map<String, Object> o = Plans.json(manager, p);
            if (!p.fits()) {
                stays.add(o);
                continue;
            }
            if (act) {
                try {
                    VirtualMachine vm = (VirtualMachine) manager.getNode(p.vm());
                    boolean goesLive = live && vm.canMigrateLive();
                    Job j = vm.migrate(p.chosen(), goesLive);
                    o.put("live", goesLive);
                    o.put("job", JobJson.of(j));
                } catch (VagothException e) {
                    o.put("error", e.getMessage());
                }
            }
            moves.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hypervisor", hv.name());
        out.put("maintenance", act || hv.inMaintenance());
        out.put("moves", moves);
        out.put("stays", stays);
        return out;
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
