package vagoth.virt.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import vagoth.api.Selection;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.Registry;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.ActionException;
import vagoth.api.action.VagothAction;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;
import vagoth.support.cmd.CommandLine;

/**
 * {@code fence} and {@code unfence}. Fencing is the operator's statement that
 * a hypervisor is powered off (proved, with {@code command=true}, by a
 * configured fence command that must succeed): its VMs are released
 * ({@code unassigned}, {@code last_host}) so they may start elsewhere, and it
 * takes no placements until it is unfenced. A hypervisor that answered its
 * last poll is not fenced: its VMs may be running.
 */
final class FenceActions {
    private static final String FENCED_SINCE = "fenced_since";
    private static final int OUTPUT_SHOWN = 2000;

    private FenceActions() {
    }

    static Node hypervisor(Registry registry, ActionContext ctx, Map<String, String> args) {
        String id = args.get(Action.NODE_ARG);
        if (id == null || id.isBlank()) {
            throw new ActionException(ctx.action() + " needs the hypervisor it is about", null);
        }
        Node hv = registry.getNode(id);
        if (!hv.type().equals(Hypervisor.TYPE)) {
            throw new ActionException(id + " is of type " + hv.type() + ", not a hypervisor", id);
        }
        return hv;
    }

    /** The VMs marked as still running a copy on {@code hv} (a fenced hypervisor that answers). */
    static List<Node> duplicatesOn(Registry registry, String hv) {
        return registry.getNodes(NodeQuery.all().withType(VirtualMachine.TYPE)).stream()
                .filter(vm -> hv.equals(vm.metadata().get(VmStates.DUPLICATE_ON))).toList();
    }

    /**
     * Stops, through {@code hv}'s agent, each copy it still runs of a VM
     * released when it was fenced, and clears the mark: a step of the job
     * each, so what was stopped stays recorded when one fails. Returns the
     * names of the VMs whose copies were stopped.
     */
    static List<String> stopDuplicates(RegistryAction action, ActionContext ctx, Node hv, Map<String, String> args) {
        List<String> stopped = new ArrayList<>();
        List<Node> copies = duplicatesOn(action.registry(), hv.id());
        if (copies.isEmpty()) {
            return stopped;
        }
        Hypervisor h = VmAction.hypervisor(ctx.manager(), hv.id(), hv.id());
        for (Node vm : copies) {
            h.driver().stop(hv, vm); // a failure ends the job here: what was stopped stays recorded
            action.registry().updateMetadata(vm.id(), Map.of(), List.of(VmStates.DUPLICATE_ON));
            action.step(args, "stopped the copy of " + vm.name() + " on " + hv.id());
            stopped.add(vm.name());
        }
        return stopped;
    }

    /**
     * {@code fence}: returns {@code released} (the names of the VMs it
     * released) and {@code gone} (those whose copy on this hypervisor was
     * marked as a duplicate: fencing it again, powered off, declares that copy
     * gone). With {@code stop_duplicates=true}, for a host already fenced that
     * answers again: stops the copies it still runs of VMs released when it
     * was fenced (they may run elsewhere by now) and leaves it fenced; returns
     * {@code stopped}, their names.
     */
    @Component(service = Action.class, configurationPid = {Selection.PID, PlacementActions.PID})
    @VagothAction("fence")
    public static final class Fence extends RegistryAction {
        /** With this argument {@code true}, the configured fence command must power the hypervisor off first. */
        static final String COMMAND_ARG = "command";
        /** A hypervisor's own fence command, in its definition: used instead of {@code fence.command}. */
        static final String FENCE_COMMAND = "fence_command";
        private final String command;
        private final long timeoutSeconds;

        @Activate
        public Fence(FenceConfig config) {
            this(config.fence_command(), config.fence_timeout_s());
        }

        Fence(String command, long timeoutSeconds) {
            this.command = command;
            this.timeoutSeconds = timeoutSeconds;
        }

        @Override
        public Object run(ActionContext ctx, Map<String, String> args) {
            Node hv = hypervisor(registry(), ctx, args);
            if (Boolean.parseBoolean(args.get(Unfence.STOP_DUPLICATES_ARG))) {
                if (!Boolean.parseBoolean(hv.metadata().get(VmStates.FENCED))) {
                    throw new ActionException(hv.id() + " is not fenced: --stop-duplicates stops the copies a fenced"
                            + " host still runs of the VMs it released; fence it first", hv.id());
                }
                return Map.of("released", List.of(), "gone", List.of(), "stopped", stopDuplicates(this, ctx, hv, args));
            }
            if (VmStates.UP.equals(hv.state())) {
                throw new ActionException(hv.id() + " answered its last poll, so its VMs may be running: fence only a"
                        + " host that is powered off (power it off, poll until it is unreachable, then fence it)", hv.id());
            }
            if (Boolean.parseBoolean(args.get(COMMAND_ARG))) {
                runFenceCommand(hv);
            }
            Registry r = registry();
            String now = Instant.now().toString();
            if (!Boolean.parseBoolean(hv.metadata().get(VmStates.FENCED))) {
                r.updateMetadata(hv.id(), Map.of(VmStates.FENCED, "true", FENCED_SINCE, now), List.of());
            }
            List<String> released = new ArrayList<>();
            for (Node vm : r.getNodes(NodeQuery.all().withParent(hv.id()).withType(VirtualMachine.TYPE))) {
                r.removeParent(vm.id());
                r.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.UNASSIGNED, VmStates.STATE_SINCE, now,
                        VmStates.LAST_HOST, hv.id()), List.of());
                released.add(vm.name());
            }
            List<String> gone = new ArrayList<>();
            for (Node vm : duplicatesOn(r, hv.id())) {
                r.updateMetadata(vm.id(), Map.of(), List.of(VmStates.DUPLICATE_ON));
                gone.add(vm.name());
            }
            return Map.of("released", released, "gone", gone);
        }

        private void runFenceCommand(Node hv) {
            String own = hv.definition().getOrDefault(FENCE_COMMAND, "");
            String line = own.isBlank() ? command : own;
            if (line.isBlank()) {
                throw new ActionException("no fence command is configured (fence.command in vagoth.virt.cfg, or "
                        + FENCE_COMMAND + " in " + hv.id() + "'s definition); fence " + hv.id() + " without --command"
                        + " once you know it is off", hv.id());
            }
            List<String> argv = new ArrayList<>();
            for (String a : CommandLine.split(line)) {
                argv.add(a.replace("{hv}", hv.id()).replace("{name}", hv.name()));
            }
            vagoth.support.proc.Deadline.Outcome o;
            try {
                o = vagoth.support.proc.Deadline.run(argv, java.time.Duration.ofSeconds(timeoutSeconds), OUTPUT_SHOWN);
            } catch (IOException e) {
                throw new ActionException("the fence command cannot run: " + e.getMessage() + "; " + hv.id()
                        + " is not fenced", hv.id());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ActionException("interrupted while the fence command ran; " + hv.id() + " is not fenced",
                        hv.id());
            }
            if (o.timedOut()) {
                throw new ActionException("the fence command did not finish within " + timeoutSeconds + " s; "
                        + hv.id() + " is not fenced", hv.id());
            }
            if (o.exitValue() != 0) {
                throw new ActionException("the fence command failed (exit status " + o.exitValue() + "): "
                        + vagoth.api.Printable.of(o.output().strip()) + "; " + hv.id() + " is not fenced", hv.id());
            }
        }
    }

    /**
     * {@code unfence}: the hypervisor takes placements again. Refused while it
     * still runs copies of VMs (they are marked {@link VmStates#DUPLICATE_ON}):
     * once unfenced their copies would count as the real ones. With
     * {@code stop_duplicates=true} each copy is stopped there through its
     * agent first (a step of the job each) and its mark cleared; returns the
     * names of the VMs whose copies were stopped.
     */
    @Component(service = Action.class, configurationPid = Selection.PID)
    @VagothAction("unfence")
    public static final class Unfence extends RegistryAction {
        /** With this argument {@code true}, the copies the hypervisor still runs are stopped first. */
        static final String STOP_DUPLICATES_ARG = "stop_duplicates";

        @Override
        public Object run(ActionContext ctx, Map<String, String> args) {
            Node hv = hypervisor(registry(), ctx, args);
            if (!Boolean.parseBoolean(hv.metadata().get(VmStates.FENCED))) {
                throw new ActionException(hv.id() + " is not fenced", hv.id());
            }
            List<Node> copies = duplicatesOn(registry(), hv.id());
            if (!copies.isEmpty() && !Boolean.parseBoolean(args.get(STOP_DUPLICATES_ARG))) {
                throw new ActionException(hv.id() + " still runs copies of " + String.join(", ", copies.stream()
                        .map(Node::name).toList()) + ", which were released when it was fenced; unfencing it now"
                        + " would count them as the real ones. 'vagoth unfence --stop-duplicates " + hv.id()
                        + "' stops them there first", hv.id());
            }
            List<String> stopped = stopDuplicates(this, ctx, hv, args);
            registry().updateMetadata(hv.id(), Map.of(), List.of(VmStates.FENCED, FENCED_SINCE));
            return stopped;
        }
    }
}
