package vagoth.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Manager;
import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.NodeNotFoundException;
import vagoth.api.NodeQuery;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.registry.Registry;
import vagoth.api.virt.VmStates;
import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.monitor.Monitor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.Installation;

/**
 * The {@code vagoth:*} commands. Each parses its arguments, calls one service
 * and formats the answer; a failure is thrown as
 * {@code <command>: <reason> (<node>)}, a malformed command line as its usage.
 */
@Component(service = VagothCommands.class, property = {
    "osgi.command.scope=vagoth",
    "osgi.command.function=list", "osgi.command.function=listvm", "osgi.command.function=listhv",
    "osgi.command.function=tree", "osgi.command.function=info", "osgi.command.function=new",
    "osgi.command.function=set", "osgi.command.function=rename", "osgi.command.function=delete",
    "osgi.command.function=start", "osgi.command.function=stop", "osgi.command.function=shutdown",
    "osgi.command.function=reboot", "osgi.command.function=define", "osgi.command.function=undefine",
    "osgi.command.function=provision", "osgi.command.function=deprovision", "osgi.command.function=migrate",
    "osgi.command.function=poll", "osgi.command.function=maintenance",
    "osgi.command.function=fence", "osgi.command.function=unfence", "osgi.command.function=jobs", "osgi.command.function=job", "osgi.command.function=cancel",
    "osgi.command.function=wait", "osgi.command.function=templates", "osgi.command.function=plugins",
    "osgi.command.function=complete", "osgi.command.function=help"})
public final class VagothCommands {
    /** Session variable: the user a command came from, when not this process's. */
    static final String SOURCE_VARIABLE = Installation.SOURCE_VARIABLE;
    /** Session variable: when true, states are coloured. */
    static final String COLOR_VARIABLE = Installation.COLOR_VARIABLE;
    private static final String OPTIONS = "options and arguments; see 'vagoth help <command>'";
    private final Manager manager;
    private final JobCommands jobCommands;
    private final VmCommands vmCommands;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Monitor monitor;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile vagoth.api.provision.TemplateCatalog templateCatalog;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile org.osgi.service.component.runtime.ServiceComponentRuntime scr;

    private final org.osgi.framework.BundleContext context;

    @Activate
    public VagothCommands(@Reference Manager manager, org.osgi.framework.BundleContext context) {
        this.context = context;
        this.manager = manager;
        this.jobCommands = new JobCommands(manager);
        this.vmCommands = new VmCommands(manager);
    }

    private String vmOp(CommandSession session, String command, String[] args,
            java.util.function.Function<VirtualMachine, Job> op) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec(command), args);
        return run(command, a.arg(0), () -> asCaller(session, () -> vmCommands.operate(command, a.arg(0), op,
                jobListener(session))));
    }

    /** Session variable: told the id of each job a command starts (the daemon passes it on to its client). */
    static final String JOB_LISTENER_VARIABLE = Installation.JOB_LISTENER_VARIABLE;

    @SuppressWarnings("unchecked")
    static java.util.function.Consumer<String> jobListener(CommandSession session) {
        Object l = session == null ? null : session.get(JOB_LISTENER_VARIABLE);
        return l instanceof java.util.function.Consumer<?> c ? (java.util.function.Consumer<String>) c : id -> { };
    }

    /**
     * Runs work in a transaction whose source is the user the command came
     * from (the daemon passes its client's), or the manager's default.
     */
    private String asCaller(CommandSession session, Supplier<String> work) {
        Object source = session == null ? null : session.get(SOURCE_VARIABLE);
        return source instanceof String s ? manager.inTransaction(s, work) : manager.inTransaction(work);
    }

    @Descriptor("start a VM, defining it first if it is unassigned")
    public String start(CommandSession session, @Descriptor("VM") String... args) {
        return vmOp(session, "start", args, VirtualMachine::start);
    }

    @Descriptor("stop a VM at once")
    public String stop(CommandSession session, @Descriptor("VM") String... args) {
        return vmOp(session, "stop", args, VirtualMachine::stop);
    }

    @Descriptor("ask a VM to shut down cleanly")
    public String shutdown(CommandSession session, @Descriptor("VM") String... args) {
        return vmOp(session, "shutdown", args, VirtualMachine::shutdown);
    }

    @Descriptor("reboot a VM")
    public String reboot(CommandSession session, @Descriptor("VM") String... args) {
        return vmOp(session, "reboot", args, VirtualMachine::reboot);
    }

    @Descriptor("remove a VM from its hypervisor and unassign it")
    public String undefine(CommandSession session, @Descriptor("VM") String... args) {
        return vmOp(session, "undefine", args, VirtualMachine::undefine);
    }

    @Descriptor("remove a VM and its disk from its hypervisor and unassign it")
    public String deprovision(CommandSession session, @Descriptor("VM") String... args) {
        return vmOp(session, "deprovision", args, VirtualMachine::deprovision);
    }

    @Descriptor("place a VM on a hypervisor and define it there")
    public String define(CommandSession session, @Descriptor(OPTIONS) String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("define"), args);
        return run("define", a.arg(0), () -> asCaller(session,
                () -> vmCommands.operate("define", a.arg(0), vm -> vm.define(a.value("hint")), jobListener(session))));
    }

    @Descriptor("place a VM and provision it on the hypervisor")
    public String provision(CommandSession session, @Descriptor(OPTIONS) String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("provision"), args);
        return run("provision", a.arg(0), () -> asCaller(session,
                () -> vmCommands.operate("provision", a.arg(0), vm -> vm.provision(a.value("hint")),
                        jobListener(session))));
    }

    @Descriptor("move a VM to another hypervisor")
    public String migrate(CommandSession session, @Descriptor("VM HV") String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("migrate"), args);
        return run("migrate", a.arg(0), () -> asCaller(session, () -> {
            Node hv = vmCommands.hypervisor(a.arg(1));
            return vmCommands.operate("migrate", a.arg(0), vm -> vm.migrate(hv.id()), jobListener(session));
        }));
    }

    @Descriptor("ask every hypervisor for its state and bring the registry up to date")
    public String poll(CommandSession session, @Descriptor(OPTIONS) String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("poll"), args);
        return run("poll", null, () -> asCaller(session, () -> vmCommands.poll(a.flag("verbose"))));
    }

    @Descriptor("take a hypervisor out of placement (on), or put it back (off)")
    public String maintenance(@Descriptor("HV on|off") String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("maintenance"), args);
        if (!a.arg(1).equals("on") && !a.arg(1).equals("off")) {
            throw a.usage("say on or off, not '" + a.arg(1) + "'");
        }
        return run("maintenance", a.arg(0), () -> vmCommands.maintenance(a.arg(0), a.arg(1)));
    }

    @Descriptor("state that a hypervisor is powered off: its lost VMs are released; it takes no placements")
    public String fence(@Descriptor("[--command] HV") String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("fence"), args);
        return run("fence", a.arg(0), () -> vmCommands.fence(a.arg(0), a.flag("command")));
    }

    @Descriptor("let a fenced hypervisor take placements again")
    public String unfence(@Descriptor("HV") String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("unfence"), args);
        return run("unfence", a.arg(0), () -> vmCommands.unfence(a.arg(0)));
    }

    @Descriptor("recent jobs, filtered by state, node or txid")
    public String jobs(CommandSession session, @Descriptor(OPTIONS) String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("jobs"), args);
        return run("jobs", null, () -> jobCommands.jobs(style(session), a));
    }

    @Descriptor("one job in full, with its error")
    public String job(CommandSession session, @Descriptor(OPTIONS) String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("job"), args);
        if (a.arg(0).equals("retry")) {
            if (a.positional().size() != 2) {
                throw a.usage("job retry takes the id of the job to run again");
            }
            return run("job retry", a.arg(1), () -> jobCommands.retry(a.arg(1)));
        }
        if (a.positional().size() != 1) {
            throw a.usage("job takes one job id (or: job retry JOB-ID)");
        }
        return run("job", a.arg(0), () -> jobCommands.job(style(session), a));
    }

    @Descriptor("cancel a queued job")
    public String cancel(@Descriptor("JOB-ID") String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("cancel"), args);
        return run("cancel", a.arg(0), () -> jobCommands.cancel(a));
    }

    @Descriptor("block until a job ends; the exit status says how it ended")
    public String wait(CommandSession session, @Descriptor(OPTIONS) String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("wait"), args);
        return run("wait", a.arg(0), () -> jobCommands.await(session, a));
    }

    // Exact String overloads: without them Gogo matches "wait 12345678" to Object.wait(long).

    @Descriptor("block until a job ends; the exit status says how it ended")
    public String wait(CommandSession session) {
        return wait(session, new String[0]);
    }

    @Descriptor("block until a job ends; the exit status says how it ended")
    public String wait(CommandSession session, @Descriptor("JOB-ID") String id) {
        return wait(session, new String[] {id});
    }

    @Descriptor("block until a job ends; the exit status says how it ended")
    public String wait(CommandSession session, @Descriptor(OPTIONS) String a, @Descriptor(OPTIONS) String b) {
        return wait(session, new String[] {a, b});
    }

    @Descriptor("block until a job ends; the exit status says how it ended")
    public String wait(CommandSession session, @Descriptor(OPTIONS) String a, @Descriptor(OPTIONS) String b,
            @Descriptor(OPTIONS) String c) {
        return wait(session, new String[] {a, b, c});
    }

    @Descriptor("list nodes, filtered by name glob, tenant, type, tag, key, state or parent")
    public String list(CommandSession session, @Descriptor(OPTIONS) String... args) {
        return listing(session, "list", null, args);
    }

    @Descriptor("list virtual machines")
    public String listvm(CommandSession session, @Descriptor(OPTIONS) String... args) {
        return listing(session, "listvm", "vm", args);
    }

    @Descriptor("list hypervisors")
    public String listhv(CommandSession session, @Descriptor(OPTIONS) String... args) {
        return listing(session, "listhv", "hv", args);
    }

    private String listing(CommandSession session, String command, String type, String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec(command), args);
        NodeQuery q = NodeQuery.all().withType(type != null ? type : a.value("type")).withTenant(a.value("tenant"))
                .withKey(a.value("key")).withState(a.value("state")).withParent(a.value("parent"));
        for (Map.Entry<String, String> t : Pairs.tags(a, a.values("tag"), false).entrySet()) {
            boolean anyValue = a.values("tag").contains(t.getKey());
            q = q.withTag(t.getKey(), anyValue ? null : t.getValue());
        }
        NodeQuery query = q;
        return run(command, null, () -> {
            List<Node> nodes = new ArrayList<>(manager.registry().getNodes(query));
            List<String> globs = a.positional();
            if (!globs.isEmpty()) {
                nodes.removeIf(n -> globs.stream().noneMatch(g -> NodeQuery.globMatches(g, n.name())));
            }
            if (a.flag("stuck")) {
                Monitor m = monitor;
                if (m == null) {
                    throw new vagoth.api.ServiceUnavailableException("monitor");
                }
                List<Node> stuck = m.stuck();
                nodes.removeIf(n -> !VmCommands.isStuck(n, stuck));
            }
            nodes.sort(Comparator.comparing(Node::name));
            if (a.flag("json")) {
                return NodeFormat.json(nodes);
            }
            if (nodes.isEmpty()) {
                return null;
            }
            return command.equals("listhv") ? vmCommands.listhv(style(session), nodes)
                    : new NodeFormat(style(session)).list(nodes);
        });
    }

    @Descriptor("show parents with their children, then nodes on their own")
    public String tree(CommandSession session, @Descriptor(OPTIONS) String... args) {
        ParsedArgs.parse(Commands.spec("tree"), args);
        return run("tree", null, () -> {
            List<Node> all = manager.registry().getNodes(NodeQuery.all());
            return all.isEmpty() ? null : new NodeFormat(style(session)).tree(all);
        });
    }

    @Descriptor("show everything about a node")
    public String info(CommandSession session, @Descriptor(OPTIONS) String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("info"), args);
        String ref = a.arg(0);
        return run("info", ref, () -> {
            Registry registry = manager.registry();
            Node n = resolve(registry, ref);
            List<Node> kids = registry.getChildren(n.id());
            return a.flag("json") ? NodeFormat.json(n, kids) : new NodeFormat(style(session)).info(n, kids);
        });
    }

    @Descriptor("provision a new node with the given definition")
    public String _new(@Descriptor(OPTIONS) String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("new"), args);
        String id = a.arg(0);
        Map<String, String> definition = Pairs.definition(a, a.positional().subList(1, a.positional().size()));
        Map<String, String> tags = Pairs.tags(a, a.values("tag"), false);
        return run("new", id, () -> {
            Node n = manager.provisioner().provision(new ProvisionRequest(id, a.value("name"), a.value("type"),
                    a.value("tenant"), definition, tags, Set.of()));
            return "new: OK (" + n.name() + ")";
        });
    }

    @Descriptor("change a node's name, tenant, tags or recorded state")
    public String set(@Descriptor(OPTIONS) String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("set"), args);
        String ref = a.arg(0);
        NodeUpdate.Builder b = NodeUpdate.builder();
        if (a.value("name") != null) {
            b.name(a.value("name"));
        }
        if (a.value("tenant") != null) {
            b.tenant(a.value("tenant"));
        }
        Pairs.tags(a, a.values("tag"), true).forEach((k, v) -> {
            if (v.isEmpty()) {
                b.removeTag(k);
            } else {
                b.tag(k, v);
            }
        });
        if (a.value("state") != null) {
            String state = a.value("state");
            if (!a.flag("force") && !VmStates.KNOWN.contains(state)) {
                throw a.usage("state '" + state + "' is not one Vagoth knows (" + String.join(", ",
                        new java.util.TreeSet<>(VmStates.KNOWN)) + "); --force records it all the same");
            }
            b.state(state);
        } else if (a.flag("force")) {
            throw a.usage("--force goes with --state");
        }
        NodeUpdate update = b.build();
        if (update.isEmpty()) {
            throw a.usage("nothing to change");
        }
        return run("set", ref, () -> {
            Registry registry = manager.registry();
            Node n = registry.updateNode(resolve(registry, ref).id(), update);
            return "set: OK (" + n.name() + ")";
        });
    }

    @Descriptor("give a node a new name")
    public String rename(@Descriptor("NODE NEW-NAME") String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("rename"), args);
        String ref = a.arg(0);
        return run("rename", ref, () -> {
            Registry registry = manager.registry();
            Node n = registry.rename(resolve(registry, ref).id(), a.arg(1));
            return "rename: OK (" + n.name() + ")";
        });
    }

    @Descriptor("remove a node through the provisioner")
    public String delete(@Descriptor("NODE") String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("delete"), args);
        String ref = a.arg(0);
        return run("delete", ref, () -> {
            Node n = resolve(manager.registry(), ref);
            manager.provisioner().deprovision(n.id());
            return "delete: OK (" + n.name() + ")";
        });
    }

    @Descriptor("for each concept, the implementations present, which is active, and their bundles")
    public String plugins(@Descriptor("no arguments") String... args) {
        ParsedArgs.parse(Commands.spec("plugins"), args);
        return run("plugins", null, () -> new PluginsReport(context, scr).render());
    }

    @Descriptor("what may come next on a command line: the words so far, the last one partial (for shells)")
    public String complete(@Descriptor("WORD...") String... words) {
        List<String> w = new ArrayList<>(List.of(words));
        if (w.isEmpty()) {
            w.add("");
        }
        return run("complete", null, () -> String.join("\n",
                new Completion(manager, () -> templateCatalog).candidates(w)));
    }

    @Descriptor("the templates 'new NAME template=T' can use")
    public String templates(@Descriptor("[--json]") String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("templates"), args);
        return run("templates", null, () -> {
            vagoth.api.provision.TemplateCatalog catalog = templateCatalog;
            if (catalog == null) {
                throw new vagoth.api.ServiceUnavailableException(
                        "template catalog (select the template provisioner: provisioner.target = (vagoth.provisioner=template))");
            }
            Map<String, Map<String, String>> all = catalog.templates();
            if (a.flag("json")) {
                return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(all);
            }
            List<String> lines = new ArrayList<>();
            all.forEach((name, def) -> {
                List<String> pairs = new ArrayList<>();
                new java.util.TreeMap<>(def).forEach((k, v) -> {
                    if (!k.equals("template")) {
                        pairs.add(k + "=" + v);
                    }
                });
                lines.add(String.format("%-12s %s", name, String.join(" ", pairs)));
            });
            return lines.isEmpty() ? null : String.join("\n", lines);
        });
    }

    @Descriptor("list the commands, or show one command's usage")
    public String help(@Descriptor("[COMMAND]") String... args) {
        ParsedArgs a = ParsedArgs.parse(Commands.spec("help"), args);
        if (a.positional().isEmpty()) {
            StringBuilder sb = new StringBuilder("usage: vagoth <command> [options] [arguments]\n\ncommands:\n");
            Commands.all().values().forEach(s -> sb.append(String.format("  %-10s %s%n", s.name(), s.summary())));
            return sb.append("\nRun 'vagoth help <command>' for a command's options.").toString();
        }
        String name = a.arg(0);
        if (!Commands.all().containsKey(name)) {
            throw a.usage("unknown command '" + name + "'");
        }
        CommandSpec s = Commands.spec(name);
        return "usage: vagoth " + s.synopsis() + "\n" + s.summary();
    }

    /** A node by id, else by name. */
    static Node resolve(Registry registry, String ref) {
        if (!Names.isSafe(ref)) {
            Names.requireSafe("node name", ref);
        }
        return registry.findNode(ref).or(() -> registry.findNodeByName(ref))
                .orElseThrow(() -> new NodeNotFoundException(ref));
    }

    private static String run(String command, String node, Supplier<String> work) {
        try {
            return work.get();
        } catch (VagothException e) {
            throw new CommandFailure(command, e.getMessage(), node != null ? node : e.node().orElse(null));
        }
    }

    private static Style style(CommandSession session) {
        return session != null && Boolean.parseBoolean(String.valueOf(session.get(COLOR_VARIABLE))) ? new Style(true)
                : Style.PLAIN;
    }
}
