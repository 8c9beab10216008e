package vagoth.shell.internal;

import vagoth.api.Printable;

import static vagoth.shell.internal.Session.asCaller;
import static vagoth.shell.internal.Session.parse;
import static vagoth.shell.internal.Session.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.action.Action;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.PollReport;
import vagoth.shell.internal.Usage.Arg;

/** The hypervisor commands: polling them, maintenance, fencing, what still fits. */
@Component(service = HypervisorCommands.class, property = {"osgi.command.scope=vagoth",
    "osgi.command.function=poll", "osgi.command.function=maintenance", "osgi.command.function=fence",
    "osgi.command.function=unfence", "osgi.command.function=capacity", "osgi.command.function=evacuate"})
public final class HypervisorCommands {
    private final Manager manager;

    @Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC)
    volatile vagoth.api.provision.TemplateCatalog templates;

    @Activate
    public HypervisorCommands(@Reference Manager manager) {
        this.manager = manager;
    }

    /** The original printed nothing; warnings are shown (an unreachable hypervisor matters), changes with --verbose. */
    @Descriptor("ask every hypervisor for its state and bring the registry up to date")
    @Usage(synopsis = "poll [--verbose]", flags = "verbose", role = "operator")
    public String poll(CommandSession session, @Descriptor("[--verbose]") String... args) {
        ParsedArgs a = parse("poll", args);
        return run("poll", null, () -> asCaller(manager, session, () -> {
            Object result = manager.action("poll", Map.of());
            return result instanceof PollReport report ? report(report, a.flag("verbose")) : null;
        }));
    }

    private static String report(PollReport report, boolean verbose) {
        List<String> out = new ArrayList<>();
        if (verbose) {
            report.changes().forEach(c -> out.add("poll: " + Printable.of(c)));
            out.add("poll: " + report.polled().size() + " hypervisor(s) answered, " + report.unreachable().size()
                    + " did not");
        }
        report.warnings().forEach(w -> out.add("poll: warning: " + Printable.of(w)));
        return out.isEmpty() ? null : String.join("\n", out);
    }

    @Descriptor("take a hypervisor out of placement (on; its VMs keep running; --evacuate: and move them away, as"
            + " 'evacuate' does, --live: while they run), or put it back (off)")
    @Usage(synopsis = "maintenance [--evacuate [--live]] HV on|off", flags = {"evacuate", "live"}, min = 2, max = 2,
            args = {Arg.HV, Arg.ON_OFF})
    public String maintenance(CommandSession session, @Descriptor("[--evacuate [--live]] HV on|off") String... args) {
        ParsedArgs a = parse("maintenance", args);
        if (!a.arg(1).equals("on") && !a.arg(1).equals("off")) {
            throw a.usage("say on or off, not '" + a.arg(1) + "'");
        }
        if (a.flag("live") && !a.flag("evacuate")) {
            throw a.usage("--live goes with --evacuate: it says how the VMs move");
        }
        if (a.flag("evacuate")) {
            if (!a.arg(1).equals("on")) {
                throw a.usage("--evacuate goes with on: a host put back takes VMs, it does not send them away");
            }
            return evacuate(session, a.flag("live") ? new String[] {"--live", a.arg(0)} : new String[] {a.arg(0)});
        }
        return run("maintenance", a.arg(0), () -> {
            Hypervisor hv = VmCommands.hypervisor(manager, a.arg(0));
            hv.maintenance(a.arg(1).equals("on"));
            return "maintenance: " + a.arg(1) + " (" + hv.name() + ")";
        });
    }

    /** {@code fence: OK (hyper2); released vm1 vm2} */
    @Descriptor("state that a hypervisor is powered off (--command: prove it with the configured fence command): its"
            + " lost VMs are released to start elsewhere, it takes no placements until unfenced, and copies of VMs it"
            + " was reported still running are declared gone; --stop-duplicates: a fenced host that answers again"
            + " has those copies stopped instead, and stays fenced")
    @Usage(synopsis = "fence [--command | --stop-duplicates] HV", flags = {"command", "stop-duplicates"}, min = 1,
            max = 1, args = Arg.HV)
    public String fence(CommandSession session, @Descriptor("[--command | --stop-duplicates] HV") String... args) {
        ParsedArgs a = parse("fence", args);
        if (a.flag("command") && a.flag("stop-duplicates")) {
            throw a.usage("--stop-duplicates is for a host already fenced: it runs no fence command");
        }
        return run("fence", a.arg(0), () -> asCaller(manager, session, () -> {
            Hypervisor hv = VmCommands.hypervisor(manager, a.arg(0));
            if (a.flag("stop-duplicates")) {
                List<String> stopped = names(manager.action("fence", Map.of(Action.NODE_ARG, hv.id(),
                        "stop_duplicates", "true")), "stopped");
                return "fence: " + hv.name() + " stays fenced; " + (stopped.isEmpty()
                        ? "it runs no copies of VMs released from it"
                        : "stopped its copies of " + String.join(" ", stopped));
            }
            Object result = manager.action("fence", a.flag("command")
                    ? Map.of(Action.NODE_ARG, hv.id(), "command", "true") : Map.of(Action.NODE_ARG, hv.id()));
            List<String> released = names(result, "released");
            List<String> gone = names(result, "gone");
            return "fence: OK (" + hv.name() + ")" + (released.isEmpty() ? "; no VMs to release"
                    : "; released " + String.join(" ", released) + " (they may be started elsewhere now)")
                    + (gone.isEmpty() ? "" : "; the copies it ran of " + String.join(" ", gone)
                            + " are declared gone");
        }));
    }

    private static List<String> names(Object result, String key) {
        return result instanceof Map<?, ?> m && m.get(key) instanceof List<?> l
                ? l.stream().map(String::valueOf).toList() : List.of();
    }

    @Descriptor("let a fenced hypervisor take placements again (refused while it still runs copies of VMs;"
            + " --stop-duplicates stops them there first)")
    @Usage(synopsis = "unfence [--stop-duplicates] HV", flags = "stop-duplicates", min = 1, max = 1, args = Arg.HV)
    public String unfence(CommandSession session, @Descriptor("[--stop-duplicates] HV") String... args) {
        ParsedArgs a = parse("unfence", args);
        return run("unfence", a.arg(0), () -> asCaller(manager, session, () -> {
            Hypervisor hv = VmCommands.hypervisor(manager, a.arg(0));
            Object stopped = manager.action("unfence", a.flag("stop-duplicates")
                    ? Map.of(Action.NODE_ARG, hv.id(), "stop_duplicates", "true") : Map.of(Action.NODE_ARG, hv.id()));
            List<?> names = stopped instanceof List<?> l ? l : List.of();
            return "unfence: OK (" + hv.name() + ")" + (names.isEmpty() ? ""
                    : "; stopped its copies of " + String.join(" ", names.stream().map(String::valueOf).toList()));
        }));
    }

    @Descriptor("how many more VMs of a shape fit, per hypervisor and in total: ram= and cpus= (MB, CPUs), or a"
            + " template's, and --tag for exclusion tags")
    @Usage(synopsis = "capacity [--template T] [--tag K=V]... [ram=MB] [cpus=N]", values = {"template", "tag"},
            min = 0, max = 2, role = "viewer")
    public String capacity(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("capacity", args);
        Map<String, String> shape = new java.util.LinkedHashMap<>();
        String template = a.value("template");
        if (template != null) {
            vagoth.api.provision.TemplateCatalog catalog = templates;
            Map<String, String> def = catalog == null ? null : catalog.templates().get(template);
            if (def == null) {
                throw a.usage("no template '" + template + "' ('templates' lists them)");
            }
            def.forEach((k, v) -> {
                if (k.equals("ram") || k.equals("cpus")) {
                    shape.put(k, v);
                }
            });
        }
        Pairs.definition(a, a.positional()).forEach((k, v) -> {
            if (!k.equals("ram") && !k.equals("cpus")) {
                throw a.usage("capacity asks about ram= and cpus=, not " + k + "=");
            }
            shape.put(k, v);
        });
        Pairs.tags(a, a.values("tag"), false).forEach((k, v) -> shape.put("tag." + k, v));
        if (shape.isEmpty()) {
            throw a.usage("say what the VMs ask for: ram=MB and/or cpus=N, or --template T");
        }
        return run("capacity", null, () -> {
            @SuppressWarnings("unchecked")
            List<vagoth.api.allocator.Room> rooms = (List<vagoth.api.allocator.Room>) manager.action("capacity", shape);
            return PlanFormat.room(rooms);
        });
    }

    @Descriptor("empty a hypervisor for maintenance: put it in maintenance, plan a place for all its VMs together,"
            + " then migrate them N at a time (--live: those that can, while they run); VMs that fit nowhere stay,"
            + " with the reason; safe to run again")
    @Usage(synopsis = "evacuate [--dry-run] [--live] [--parallel N] HV", values = "parallel", flags = {"dry-run",
            "live"}, min = 1, max = 1, args = Arg.HV)
    public String evacuate(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("evacuate", args);
        int parallel;
        try {
            parallel = a.value("parallel") == null ? 2 : Integer.parseInt(a.value("parallel"));
        } catch (NumberFormatException e) {
            parallel = 0;
        }
        if (parallel < 1 || parallel > 64) {
            throw a.usage("--parallel takes a number from 1 to 64, not '" + a.value("parallel") + "'");
        }
        boolean dry = a.flag("dry-run");
        boolean live = a.flag("live");
        int n = parallel;
        boolean terminal = Session.style(session) != Style.PLAIN; // the client has a terminal: show progress
        return run("evacuate", a.arg(0), () -> asCaller(manager, session, () -> {
            Hypervisor hv = VmCommands.hypervisor(manager, a.arg(0));
            if (!dry && !hv.inMaintenance()) {
                hv.maintenance(true);
            }
            List<vagoth.api.allocator.Placement> plan = hv.planEvacuation().placements();
            StringBuilder out = new StringBuilder("evacuate" + (dry ? " --dry-run (nothing was changed)" : "") + ": "
                    + hv.name() + (dry ? "" : " is in maintenance") + "; " + plan.size() + " VM"
                    + (plan.size() == 1 ? "" : "s") + " on it\n");
            if (plan.isEmpty()) {
                return out.append("evacuate: nothing to move").toString();
            }
            List<vagoth.api.allocator.Placement> placed = plan.stream().filter(vagoth.api.allocator.Placement::fits)
                    .toList();
            for (vagoth.api.allocator.Placement p : plan) {
                out.append(p.fits() ? "  " + p.vm() + " -> " + p.chosen() + (live ? liveOrCold(p.vm()) : "") : "  " + p.vm() + ": stays, it fits nowhere ("
                        + String.join("; ", new java.util.TreeMap<>(p.others()).entrySet().stream()
                                .map(e -> e.getKey() + " " + e.getValue()).toList()) + ")").append('\n');
            }
            int unplaced = plan.size() - placed.size();
            if (dry) {
                if (unplaced > 0) {
                    Session.exit(session, 2);
                }
                return out.append("evacuate --dry-run: ").append(placed.size()).append(" would move, ")
                        .append(unplaced).append(" would stay").toString();
            }
            int[] failed = {0};
            java.io.PrintStream err = Session.err(session);
            Progress shown = terminal && err != null ? Progress.watch(manager, placed.stream().collect(
                    java.util.stream.Collectors.toMap(vagoth.api.allocator.Placement::vm, p -> name(p.vm()))), err)
                    : null;
            try {
                moveAll(placed, n, live, line -> out.append("  ").append(line).append('\n'), failed, shown);
            } finally {
                if (shown != null) {
                    shown.close();
                }
            }
            int moved = placed.size() - failed[0];
            if (failed[0] + unplaced > 0) {
                Session.exit(session, 1);
            }
            return out.append("evacuate: ").append(moved).append(" moved, ").append(failed[0]).append(" failed, ")
                    .append(unplaced).append(" could not be placed; ").append(hv.name())
                    .append(" stays in maintenance").append(failed[0] + unplaced > 0 ? " (run it again once the"
                            + " reasons are mended: what moved stays moved)" : "").toString();
        }));
    }

    /** A node's name, or its id when it is gone. */
    private String name(String id) {
        try {
            return manager.getNode(id).name();
        } catch (vagoth.api.VagothException e) {
            return id;
        }
    }

    /** How {@code evacuate --live} would move a VM: live if it can, else cold. */
    private String liveOrCold(String vm) {
        return ((vagoth.api.virt.VirtualMachine) manager.getNode(vm)).canMigrateLive() ? " (live)" : " (cold)";
    }

    /** Migrates each placed VM as a job, {@code n} at a time; a line per VM as its job ends. */
    private void moveAll(List<vagoth.api.allocator.Placement> placed, int n, boolean live,
            java.util.function.Consumer<String> line, int[] failed, Progress shown) {
        java.util.ArrayDeque<vagoth.api.job.Job> running = new java.util.ArrayDeque<>();
        java.util.Map<String, String> to = new java.util.HashMap<>();
        java.util.Iterator<vagoth.api.allocator.Placement> next = placed.iterator();
        while (next.hasNext() || !running.isEmpty()) {
            while (next.hasNext() && running.size() < n) {
                vagoth.api.allocator.Placement p = next.next();
                try {
                    vagoth.api.virt.VirtualMachine vm = (vagoth.api.virt.VirtualMachine) manager.getNode(p.vm());
                    boolean goesLive = live && vm.canMigrateLive();
                    if (shown != null) {
                        shown.clear(); // the migration's log line on a line of its own
                    }
                    vagoth.api.job.Job j = vm.migrate(p.chosen(), goesLive);
                    to.put(j.id(), p.vm() + " -> " + p.chosen() + (live ? (goesLive ? " (live)" : " (cold)") : ""));
                    running.add(j);
                } catch (vagoth.api.VagothException e) {
                    failed[0]++;
                    line.accept(p.vm() + " -> " + p.chosen() + ": failed: " + Printable.of(e.getMessage()));
                }
            }
            vagoth.api.job.Job j = running.poll();
            if (j == null) {
                continue;
            }
            vagoth.api.job.Job ended = VmCommands.awaitEnd(manager, j);
            if (ended.state() == vagoth.api.job.JobState.DONE) {
                line.accept(to.get(j.id()) + ": moved (job " + j.id() + ")");
            } else {
                failed[0]++;
                line.accept(to.get(j.id()) + ": " + ended.state().label() + ": " + ended.error() + " (job " + j.id()
                        + ")");
            }
        }
    }
}
