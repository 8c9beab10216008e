package vagoth.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.Resources;
import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.PollReport;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;

/** The virtual machine and hypervisor commands. */
final class VmCommands {
    private final Manager manager;

    VmCommands(Manager manager) {
        this.manager = manager;
    }

    /**
     * Runs one VM operation: {@code start: OK (devnode1)}, or queued as a job
     * when the scheduler works in the background. {@code onJob} hears the
     * job's id as soon as it exists (the daemon tells its client).
     */
    String operate(String command, String ref, Function<VirtualMachine, Job> op, java.util.function.Consumer<String> onJob) {
        VirtualMachine vm = vm(ref);
        Job started = op.apply(vm);
        onJob.accept(started.id());
        Job job = awaitEnd(manager, started);
        if (job.state() == JobState.DONE) {
            return command + ": OK (" + vm.name() + ")";
        }
        if (job.state().isFinished()) {
            throw new CommandFailure(command, job.error() == null ? job.state().label() : job.error(), vm.name());
        }
        return command + ": queued as job " + job.id() + " (" + vm.name() + ")";
    }

    /**
     * A background scheduler answers with a queued job; the command waits for
     * it, so its output and exit status are the same whichever scheduler runs it.
     */
    static Job awaitEnd(Manager manager, Job job) {
        Job j = job;
        while (!j.state().isFinished()) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return j;
            }
            String id = j.id();
            j = manager.jobs().get(id).orElseThrow(() -> new vagoth.api.job.JobNotFoundException(id));
        }
        return j;
    }

    VirtualMachine vm(String ref) {
        ManagedNode n = manager.getNode(VagothCommands.resolve(manager.registry(), ref).id());
        if (!(n instanceof VirtualMachine vm)) {
            throw new VagothException(ref + " is of type " + n.node().type() + ", not a vm", ref);
        }
        return vm;
    }

    Node hypervisor(String ref) {
        Node n = VagothCommands.resolve(manager.registry(), ref);
        if (!n.type().equals(Hypervisor.TYPE)) {
            throw new VagothException(ref + " is of type " + n.type() + ", not a hypervisor", ref);
        }
        return n;
    }

    /** The original printed nothing; warnings are shown (an unreachable hypervisor matters), changes with --verbose. */
    String poll(boolean verbose) {
        Object result = manager.action("poll", Map.of());
        if (!(result instanceof PollReport report)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (verbose) {
            report.changes().forEach(c -> out.add("poll: " + c));
            out.add("poll: " + report.polled().size() + " hypervisor(s) answered, " + report.unreachable().size()
                    + " did not");
        }
        report.warnings().forEach(w -> out.add("poll: warning: " + w));
        return out.isEmpty() ? null : String.join("\n", out);
    }

    String maintenance(String ref, String onOff) {
        boolean on = switch (onOff) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalStateException();
        };
        Node hv = hypervisor(ref);
        manager.registry().updateMetadata(hv.id(), Map.of(VmStates.MAINTENANCE_FLAG, String.valueOf(on)), List.of());
        return "maintenance: " + onOff + " (" + hv.name() + ")";
    }

    /** {@code fence: OK (hyper2); released vm1 vm2} */
    String fence(String ref, boolean command) {
        Node hv = hypervisor(ref);
        Object released = manager.action("fence", command
                ? Map.of(vagoth.api.action.Action.NODE_ARG, hv.id(), "command", "true")
                : Map.of(vagoth.api.action.Action.NODE_ARG, hv.id()));
        List<?> names = released instanceof List<?> l ? l : List.of();
        return "fence: OK (" + hv.name() + ")" + (names.isEmpty() ? "; no VMs to release"
                : "; released " + String.join(" ", names.stream().map(String::valueOf).toList())
                        + " (they may be started elsewhere now)");
    }

    String unfence(String ref) {
        Node hv = hypervisor(ref);
        manager.action("unfence", Map.of(vagoth.api.action.Action.NODE_ARG, hv.id()));
        return "unfence: OK (" + hv.name() + ")";
    }

    /** {@code hyper1    state=up    vms=2  ram=1536/16384  free=14848  cpus=2/8  maintenance=off} */
    String listhv(Style style, List<Node> hvs) {
        List<Node> vms = manager.registry().getNodes(NodeQuery.all().withType(VirtualMachine.TYPE));
        int nameWidth = Math.max(8, hvs.stream().mapToInt(h -> h.name().length()).max().orElse(0)) + 4;
        int stateWidth = Math.max(11, hvs.stream().mapToInt(h -> h.state().length()).max().orElse(0)) + 2;
        List<String> out = new ArrayList<>();
        for (Node hv : hvs) {
            long ram = 0;
            long cpus = 0;
            int count = 0;
            for (Node vm : vms) {
                if (hv.id().equals(vm.parent())) {
                    ram += Resources.asked(vm, Resources.RAM);
                    cpus += Resources.asked(vm, Resources.CPUS);
                    count++;
                }
            }
            long mem = Resources.offered(hv, Resources.MEM_TOTAL);
            long cpuCount = Resources.offered(hv, Resources.CPUS);
            String memTotal = mem < 0 ? "?" : String.valueOf(mem);
            String cpuTotal = cpuCount < 0 ? "?" : String.valueOf(cpuCount);
            long free = mem < 0 ? -1 : mem - ram;
            out.add(String.format("%-" + nameWidth + "s", hv.name()) + "state=" + style.state(hv.state())
                    + " ".repeat(Math.max(1, stateWidth - hv.state().length())) + "vms=" + count + "  ram=" + ram + "/"
                    + memTotal + "  free=" + (free < 0 ? "?" : free) + "  cpus=" + cpus + "/" + cpuTotal + "  maintenance="
                    + (Boolean.parseBoolean(hv.metadata().get(VmStates.MAINTENANCE_FLAG)) ? "on" : "off")
                    + (Boolean.parseBoolean(hv.metadata().get(VmStates.FENCED)) ? "  fenced" : ""));
        }
        return String.join("\n", out);
    }

    static boolean isStuck(Node n, List<Node> stuck) {
        return VmStates.TRANSITIONAL.contains(n.state()) && stuck.stream().anyMatch(s -> s.id().equals(n.id()));
    }
}
