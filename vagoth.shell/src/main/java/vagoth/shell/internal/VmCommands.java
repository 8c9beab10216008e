package vagoth.shell.internal;

import static vagoth.shell.internal.Session.asCaller;
import static vagoth.shell.internal.Session.exit;
import static vagoth.shell.internal.Session.jobListener;
import static vagoth.shell.internal.Session.parse;
import static vagoth.shell.internal.Session.run;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.shell.internal.Usage.Arg;

/**
 * The virtual machine commands. Each runs one operation as a job and waits
 * for it, so its output and exit status are the same whichever scheduler runs
 * it: {@code start: OK (devnode1)}, or the job's error.
 */
@Component(service = VmCommands.class, property = {"osgi.command.scope=vagoth",
    "osgi.command.function=start", "osgi.command.function=stop", "osgi.command.function=shutdown",
    "osgi.command.function=reboot", "osgi.command.function=define", "osgi.command.function=undefine",
    "osgi.command.function=provision", "osgi.command.function=deprovision", "osgi.command.function=migrate",
    "osgi.command.function=console"})
public final class VmCommands {
    /** A wait as long as anyone waits. */
    static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();
    private final Manager manager;

    @Activate
    public VmCommands(@Reference Manager manager) {
        this.manager = manager;
    }

    @Descriptor("start a VM (defining it first if it is unassigned)")
    @Usage(synopsis = "start [--dry-run] VM", flags = "dry-run", min = 1, max = 1, args = Arg.VM, role = "operator")
    public String start(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("start", args);
        if (a.flag("dry-run")) {
            Node vm = manager.registry().resolve(a.arg(0));
            if (vm.hasParent()) {
                return "start --dry-run: " + vm.name() + " is on " + vm.parent() + " and would start there; nothing"
                        + " was changed";
            }
            return dryRun(session, "start", vm, () -> vm(vm.id()).planPlacement(null));
        }
        return operate(session, "start", a, VirtualMachine::start);
    }

    @Descriptor("stop a VM at once (kill)")
    @Usage(synopsis = "stop VM", min = 1, max = 1, args = Arg.VM, role = "operator")
    public String stop(CommandSession session, @Descriptor("VM") String... args) {
        return operate(session, "stop", args, VirtualMachine::stop);
    }

    @Descriptor("ask a VM to shut down cleanly")
    @Usage(synopsis = "shutdown VM", min = 1, max = 1, args = Arg.VM, role = "operator")
    public String shutdown(CommandSession session, @Descriptor("VM") String... args) {
        return operate(session, "shutdown", args, VirtualMachine::shutdown);
    }

    @Descriptor("reboot a VM")
    @Usage(synopsis = "reboot VM", min = 1, max = 1, args = Arg.VM, role = "operator")
    public String reboot(CommandSession session, @Descriptor("VM") String... args) {
        return operate(session, "reboot", args, VirtualMachine::reboot);
    }

    @Descriptor("remove a VM from its hypervisor and unassign it")
    @Usage(synopsis = "undefine VM", min = 1, max = 1, args = Arg.VM, role = "operator")
    public String undefine(CommandSession session, @Descriptor("VM") String... args) {
        return operate(session, "undefine", args, VirtualMachine::undefine);
    }

    @Descriptor("remove a VM and its disk from its hypervisor and unassign it")
    @Usage(synopsis = "deprovision VM", min = 1, max = 1, args = Arg.VM, role = "operator")
    public String deprovision(CommandSession session, @Descriptor("VM") String... args) {
        return operate(session, "deprovision", args, VirtualMachine::deprovision);
    }

    @Descriptor("place a VM on a hypervisor (the allocator chooses, or --hint) and define it there")
    @Usage(synopsis = "define [--dry-run] [--hint HV] VM", values = "hint", flags = "dry-run", min = 1, max = 1,
            args = Arg.VM, role = "operator")
    public String define(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("define", args);
        if (a.flag("dry-run")) {
            Node vm = manager.registry().resolve(a.arg(0));
            if (vm.hasParent()) {
                throw new CommandFailure("define --dry-run", vm.name() + " is on " + vm.parent() + " already; migrate"
                        + " moves it", vm.name());
            }
            String hint = a.value("hint") == null ? null : hypervisor(manager, a.value("hint")).id();
            return dryRun(session, "define", vm, () -> vm(vm.id()).planPlacement(hint));
        }
        return operate(session, "define", a, vm -> vm.define(a.value("hint")));
    }

    @Descriptor("place a VM and provision it (create its disk) on the hypervisor")
    @Usage(synopsis = "provision [--hint HV] VM", values = "hint", min = 1, max = 1, args = Arg.VM, role = "operator")
    public String provision(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("provision", args);
        return operate(session, "provision", a, vm -> vm.provision(a.value("hint")));
    }

    @Descriptor("move a VM to another hypervisor (cold: stopped, moved, started again if it ran; --live: while it runs)")
    @Usage(synopsis = "migrate [--dry-run] [--live] VM HV", flags = {"dry-run", "live"}, min = 2, max = 2,
            args = {Arg.VM, Arg.HV}, role = "operator")
    public String migrate(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("migrate", args);
        if (a.flag("dry-run")) {
            Node vm = manager.registry().resolve(a.arg(0));
            String to = hypervisor(manager, a.arg(1)).id();
            if (!vm.hasParent()) {
                throw new CommandFailure("migrate --dry-run", vm.name() + " is on no hypervisor; define places it",
                        vm.name());
            }
            vagoth.api.virt.MigrationPlan[] plan = {null};
            String out = dryRun(session, "migrate", vm, () -> {
                plan[0] = vm(vm.id()).planMigration(to);
                return plan[0].placement();
            });
            if (plan[0] == null || !plan[0].placement().fits()) {
                return out;
            }
            String shared = plan[0].sharedStorage();
            if (a.flag("live")) {
                return out + "\nlive: " + (plan[0].live() ? "the guest keeps running; " : "not now (it moves live only"
                        + " while it runs, between hosts whose driver migrates live with the same accelerator); if it"
                        + " could: ") + (shared != null ? "they share storage " + shared + ": only its memory would"
                        + " move" : "they share no storage: its disk would be mirrored live, then its memory sent")
                        + "; the source ends only once it runs on " + to;
            }
            return out + "\n" + (shared != null ? "they share storage " + shared + ": only its definition would move"
                    : "they share no storage: its disk would be copied, checked, then removed from " + vm.parent());
        }
        boolean live = a.flag("live");
        boolean terminal = Session.style(session) != Style.PLAIN; // the client has a terminal: show progress
        String ref = a.arg(0);
        return run("migrate", ref, () -> asCaller(manager, session, () -> {
            VirtualMachine vm = vm(ref);
            String to = hypervisor(manager, a.arg(1)).id();
            java.io.PrintStream err = Session.err(session);
            // a scheduler that runs the job inline (the default) returns only when it has ended: watch it meanwhile
            Progress shown = terminal && err != null ? Progress.watch(manager, Map.of(vm.id(), vm.name()), err) : null;
            try {
                Job started = vm.migrate(to, live);
                jobListener(session).accept(started.id());
                return ended("migrate", vm, awaitEnd(manager, started));
            } finally {
                if (shown != null) {
                    shown.close();
                }
            }
        }));
    }

    /**
     * What {@code plan} says of {@code vm}: where the allocator would place it
     * and why not elsewhere; nothing changes. Exit status 2 when it fits
     * nowhere.
     */
    private String dryRun(CommandSession session, String command, Node vm,
            java.util.function.Supplier<vagoth.api.allocator.Placement> plan) {
        return run(command, vm.name(), () -> {
            vagoth.api.allocator.Placement p = plan.get();
            if (!p.fits()) {
                exit(session, 2);
            }
            return command + " --dry-run (nothing was changed):\n" + PlanFormat.placement(p, vm.name());
        });
    }

    private String operate(CommandSession session, String command, String[] args, Function<VirtualMachine, Job> op) {
        return operate(session, command, parse(command, args), op);
    }

    private String operate(CommandSession session, String command, ParsedArgs a, Function<VirtualMachine, Job> op) {
        String ref = a.arg(0);
        return run(command, ref, () -> asCaller(manager, session, () -> operate(command, ref, op,
                jobListener(session))));
    }

    /**
     * Runs one VM operation and waits for its job: {@code onJob} hears the
     * job's id as soon as it exists (the daemon tells its client).
     */
    private String operate(String command, String ref, Function<VirtualMachine, Job> op, Consumer<String> onJob) {
        VirtualMachine vm = vm(ref);
        Job started = op.apply(vm);
        onJob.accept(started.id());
        return ended(command, vm, awaitEnd(manager, started));
    }

    /** What a command says of its job: OK, its failure, or that it is queued. */
    private static String ended(String command, VirtualMachine vm, Job job) {
        if (job.state() == JobState.DONE) {
            return command + ": OK (" + vm.name() + ")";
        }
        if (job.state().isFinished()) {
            throw new CommandFailure(command, job.error() == null ? job.state().label() : job.error(), vm.name());
        }
        return command + ": queued as job " + job.id() + " (" + vm.name() + ")";
    }

    /** The job once it has ended; as it is, should the wait be interrupted (Ctrl-C). */
    static Job awaitEnd(Manager manager, Job job) {
        if (job.state().isFinished()) {
            return job;
        }
        try {
            return manager.jobs().await(job.id(), FOREVER);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return manager.jobs().get(job.id()).orElse(job);
        }
    }

    private VirtualMachine vm(String ref) {
        ManagedNode n = manager.getNode(manager.registry().resolve(ref).id());
        if (!(n instanceof VirtualMachine vm)) {
            throw new VagothException(ref + " is of type " + n.node().type() + ", not a vm", ref);
        }
        return vm;
    }

    /** The hypervisor an operator names, by id or name. */
    static Hypervisor hypervisor(Manager manager, String ref) {
        Node node = manager.registry().resolve(ref);
        if (!node.type().equals(Hypervisor.TYPE) || !(manager.getNode(node.id()) instanceof Hypervisor hv)) {
            throw new VagothException(ref + " is of type " + node.type() + ", not a hypervisor", ref);
        }
        return hv;
    }

    /**
     * What {@code vagoth console VM} needs to reach the guest's serial console: the VM's id, its hypervisor and
     * that hypervisor's agent command line (split, never run through a shell), as one JSON line. The console itself
     * runs in the process that has the terminal ({@code bin/vagoth}), not here.
     */
    @Descriptor("attach the terminal to a VM's serial console, through its hypervisor's agent (Ctrl-] leaves);"
            + " --where: only say how it is reached (its agent command line, as JSON)")
    @Usage(synopsis = "console [--where] VM", flags = "where", min = 1, max = 1, args = Arg.VM, role = "operator")
    public String console(@Descriptor("[--where] VM") String... args) {
        ParsedArgs a = parse("console", args);
        if (!a.flag("where")) {
            throw a.usage("the console needs the terminal: run 'vagoth console " + a.arg(0) + "' from a shell, not"
                    + " inside the interactive one");
        }
        return run("console", a.arg(0), () -> {
            Node vm = manager.registry().resolve(a.arg(0));
            if (!VirtualMachine.TYPE.equals(vm.type())) {
                throw new VagothException(vm.name() + " is a " + vm.type() + ", not a VM: it has no console", vm.id());
            }
            if (!vm.hasParent()) {
                throw new VagothException(vm.name() + " is on no hypervisor: it has no console", vm.id());
            }
            Node hv = manager.registry().getNode(vm.parent());
            String line = hv.definition().getOrDefault("agent", "");
            java.util.List<String> argv;
            try {
                argv = vagoth.support.cmd.CommandLine.split(line);
            } catch (IllegalArgumentException e) {
                throw new VagothException(hv.name() + "'s agent command line does not split: " + e.getMessage(), vm.id());
            }
            if (argv.isEmpty()) {
                throw new VagothException(hv.name() + " has no agent command line: its console cannot be reached",
                        vm.id());
            }
            Map<String, Object> o = new java.util.LinkedHashMap<>();
            o.put("vm", vm.id());
            o.put("name", vm.name());
            o.put("hypervisor", hv.id());
            o.put("agent", argv);
            return vagoth.support.json.Json.compact(o);
        });
    }
}
