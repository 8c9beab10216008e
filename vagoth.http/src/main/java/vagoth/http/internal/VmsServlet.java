package vagoth.http.internal;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

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
import vagoth.api.VagothException;
import vagoth.api.access.AccessToken;
import vagoth.api.access.Role;
import vagoth.api.job.Job;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.MigrationPlan;
import vagoth.api.virt.VirtualMachine;
import vagoth.support.json.JobJson;

/**
 * {@code POST /api/v1/vms/NAME/ACTION} (operator): a VM's actions, each a
 * job as on the command line (start, stop, shutdown, reboot, define,
 * undefine, provision, deprovision, migrate). The answer is 202 with the job
 * and its {@code Location}, at once: {@code GET /api/v1/jobs/ID} follows it
 * (a scheduler that runs jobs at once answers the ended job, failed with its
 * error or done; a refusal before any job was made is an error status).
 * {@code define} and {@code provision} take {@code {"hint": "HV"}},
 * {@code migrate} {@code {"to": "HV"}}. {@code GET /api/v1/vms} lists the VMs
 * with the node list's filters, {@code GET /api/v1/vms/NAME} one, and
 * {@code GET /api/v1/vms/NAME/plan?to=HV} what migrating it would do, and
 * {@code GET /api/v1/vms/NAME/console?lines=N} (operator) the end of its serial log.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/vms",
    "osgi.http.whiteboard.servlet.pattern=/api/v1/vms/*",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class VmsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Set<String>> ACTIONS = Map.of("start", Set.of(), "stop", Set.of(),
            "shutdown", Set.of(), "reboot", Set.of(), "undefine", Set.of(), "deprovision", Set.of(),
            "define", Set.of("hint"), "provision", Set.of("hint"), "migrate", Set.of("to", "live"));
    private static final int DEFAULT_LOG_LINES = 100;
    /** As many as an agent answers at once. */
    private static final int MAX_LOG_LINES = 1000;
    private final transient Manager manager;

    @Activate
    public VmsServlet(@Reference Manager manager) {
        this.manager = manager;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        String ref = Api.rest(req);
        if (ref == null) {
            Api.json(resp, 200, NodesServlet.list(manager, req, resp, VirtualMachine.TYPE));
            return;
        }
        if (ref.endsWith("/plan")) {
            Api.json(resp, 200, migratePlan(vmNode(ref.substring(0, ref.length() - "/plan".length())),
                    req.getParameter("to")));
            return;
        }
        if (ref.endsWith("/console")) {
            Api.require(req, Role.OPERATOR); // what a guest printed may say what viewers should not read
            Api.json(resp, 200, serialLog(vmNode(ref.substring(0, ref.length() - "/console".length())),
                    req.getParameter("lines")));
            return;
        }
        Api.json(resp, 200, vagoth.support.json.NodeJson.of(vmNode(ref)));
    }

    /**
     * {@code GET /api/v1/vms/NAME/console[?lines=N]} (operator): the last N (1 to 1000, default 100) lines of the
     * VM's serial log, from its hypervisor's agent, as text to show (control sequences left out).
     */
    private Map<String, Object> serialLog(Node vm, String lines) {
        int n;
        try {
            n = lines == null ? DEFAULT_LOG_LINES : Integer.parseInt(lines);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_LOG_LINES) {
            throw new Api.Refusal(400, "lines must be a number from 1 to " + MAX_LOG_LINES
                    + ", not '" + lines + "'");
        }
        if (!vm.hasParent()) {
            throw new Api.Refusal(409, vm.name() + " is on no hypervisor: it has no serial log");
        }
        if (!(manager.getNode(vm.parent()) instanceof Hypervisor hv)) {
            throw new Api.Refusal(409, vm.name() + "'s parent is not a hypervisor");
        }
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        o.put("vm", vm.name());
        o.put("hypervisor", hv.node().name());
        o.put("lines", hv.driver().serialLog(hv.node(), vm, n));
        return o;
    }

    private Node vmNode(String ref) {
        Node n = manager.registry().resolve(Names.requireSafe("VM", ref));
        if (!n.type().equals(VirtualMachine.TYPE)) {
            throw new Api.Refusal(404, ref + " is not a VM (it is of type " + n.type() + ")");
        }
        return n;
    }

    /**
     * {@code GET /api/v1/vms/NAME/plan[?to=HV]}: where migrating it would
     * take it (to {@code HV} only, or the allocator's choice away from its
     * host), why not elsewhere, and whether its disk would be copied; nothing
     * changes.
     */
    private Map<String, Object> migratePlan(Node vm, String to) {
        String hint = to == null || to.isBlank() ? null : hypervisor(to).id();
        MigrationPlan plan = vm(vm.id()).planMigration(hint);
        Map<String, Object> o = Plans.json(manager, plan.placement());
        o.put("from", manager.registry().getNode(plan.from()).name());
        o.put("disk", !plan.placement().fits() ? null : plan.sharedStorage() != null ? "shared" : "copied");
        o.put("live", plan.live());
        return o;
    }

    @Override
    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken caller = Api.require(req, Role.OPERATOR);
        String rest = Api.rest(req);
        int slash = rest == null ? -1 : rest.indexOf('/');
        if (slash <= 0) {
            throw new Api.Refusal(404, "a VM's action is POST /api/v1/vms/NAME/ACTION");
        }
        String name = Names.requireSafe("VM name", rest.substring(0, slash));
        String action = rest.substring(slash + 1);
        Set<String> fields = ACTIONS.get(action);
        if (fields == null) {
            throw new Api.Refusal(404, "no VM action '" + action + "' (" + String.join(", ",
                    new java.util.TreeSet<>(ACTIONS.keySet())) + ")");
        }
        JsonObject fieldsGiven = Body.object(req, fields);
        Map<String, String> body = Body.strings(fieldsGiven, Set.of("to", "hint"), null);
        boolean live = Boolean.TRUE.equals(Body.bool(fieldsGiven, "live"));
        if (action.equals("migrate") && body.get("to") == null) {
            throw new Api.Refusal(400, "migrate needs {\"to\": \"HV\"}");
        }
        Function<VirtualMachine, Job> op = switch (action) {
            case "start" -> VirtualMachine::start;
            case "stop" -> VirtualMachine::stop;
            case "shutdown" -> VirtualMachine::shutdown;
            case "reboot" -> VirtualMachine::reboot;
            case "undefine" -> VirtualMachine::undefine;
            case "deprovision" -> VirtualMachine::deprovision;
            case "define" -> vm -> vm.define(body.get("hint"));
            case "provision" -> vm -> vm.provision(body.get("hint"));
            default -> vm -> vm.migrate(hypervisor(body.get("to")).id(), live);
        };
        String[] txid = {null};
        Job job;
        try {
            job = manager.inTransaction("api:" + caller.name(), () -> {
                txid[0] = manager.currentTransaction().map(t -> t.txid()).orElse(null);
                return op.apply(vm(name));
            });
        } catch (VagothException e) {
            // a scheduler that runs the job at once (sync) throws its failure: the job is still the answer
            job = txid[0] == null ? null : manager.jobs().list(new vagoth.api.job.JobQuery(null, null, txid[0], 1))
                    .stream().filter(j -> j.action().equals(action) && j.state().isFinished()).findFirst()
                    .orElse(null);
            if (job == null) {
                throw e;
            }
        }
        resp.setHeader("Location", "/api/v1/jobs/" + job.id());
        Api.json(resp, 202, JobJson.of(job));
    }

    private VirtualMachine vm(String name) {
        ManagedNode n = manager.getNode(manager.registry().resolve(name).id());
        if (!(n instanceof VirtualMachine vm)) {
            throw new Api.Refusal(409, name + " is of type " + n.node().type() + ", not a vm");
        }
        return vm;
    }

    private Hypervisor hypervisor(String ref) {
        Names.requireSafe("hypervisor name", ref);
        Node node = manager.registry().resolve(ref);
        if (!node.type().equals(Hypervisor.TYPE) || !(manager.getNode(node.id()) instanceof Hypervisor hv)) {
            throw new VagothException(ref + " is of type " + node.type() + ", not a hypervisor", ref);
        }
        return hv;
    }
}
