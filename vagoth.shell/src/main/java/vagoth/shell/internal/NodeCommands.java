package vagoth.shell.internal;

import static vagoth.shell.internal.Session.parse;
import static vagoth.shell.internal.Session.run;
import static vagoth.shell.internal.Session.style;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeNotFoundException;
import vagoth.api.NodeQuery;
import vagoth.api.ServiceUnavailableException;
import vagoth.api.monitor.Monitor;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.registry.Registry;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VmStates;
import vagoth.shell.internal.Usage.Arg;

/** The node commands: listing, showing, creating, changing and removing nodes. */
@Component(service = NodeCommands.class, property = {"osgi.command.scope=vagoth",
    "osgi.command.function=list", "osgi.command.function=listvm", "osgi.command.function=listhv",
    "osgi.command.function=tree", "osgi.command.function=info", "osgi.command.function=new",
    "osgi.command.function=set", "osgi.command.function=rename", "osgi.command.function=delete"})
public final class NodeCommands {
    static final String OPTIONS = "options and arguments; see 'vagoth help <command>'";
    private final Manager manager;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Monitor monitor;

    @Activate
    public NodeCommands(@Reference Manager manager) {
        this.manager = manager;
    }

    @Descriptor("list nodes, filtered (--parent '' lists nodes without a parent; --stuck, VMs stuck in a transition)")
    @Usage(synopsis = "list [--tenant T] [--type T] [--tag K[=V]]... [--key K] [--state S] [--parent P] [--stuck]"
            + " [--json] [NAME-GLOB...]", values = {"tenant", "type", "tag", "key", "state", "parent"},
            flags = {"json", "stuck"}, max = Usage.ANY, args = Arg.NODE, role = "viewer")
    public String list(CommandSession session, @Descriptor(OPTIONS) String... args) {
        return listing(session, "list", null, args);
    }

    @Descriptor("list virtual machines")
    @Usage(synopsis = "listvm [--tenant T] [--tag K[=V]]... [--key K] [--state S] [--parent P] [--json] [NAME-GLOB...]",
            values = {"tenant", "tag", "key", "state", "parent"}, flags = "json", max = Usage.ANY, args = Arg.VM, role = "viewer")
    public String listvm(CommandSession session, @Descriptor(OPTIONS) String... args) {
        return listing(session, "listvm", "vm", args);
    }

    @Descriptor("list hypervisors with their VMs, RAM and CPUs used, and capacity")
    @Usage(synopsis = "listhv [--tenant T] [--tag K[=V]]... [--key K] [--state S] [--json] [NAME-GLOB...]",
            values = {"tenant", "tag", "key", "state"}, flags = "json", max = Usage.ANY, args = Arg.HV, role = "viewer")
    public String listhv(CommandSession session, @Descriptor(OPTIONS) String... args) {
        return listing(session, "listhv", Hypervisor.TYPE, args);
    }

    private String listing(CommandSession session, String command, String type, String... args) {
        ParsedArgs a = parse(command, args);
        NodeQuery q = NodeQuery.all().withType(type != null ? type : a.value("type")).withTenant(a.value("tenant"))
                .withKey(a.value("key")).withState(a.value("state")).withParent(a.value("parent"));
        for (Map.Entry<String, String> t : Pairs.tags(a, a.values("tag"), false).entrySet()) {
            boolean anyValue = a.values("tag").contains(t.getKey());
            q = q.withTag(t.getKey(), anyValue ? null : t.getValue());
        }
        NodeQuery query = q;
        return run(command, null, () -> {
            List<String> globs = a.positional();
            // names only (no * ? [): each looked up by its name, not the whole registry read and filtered
            boolean namesOnly = !globs.isEmpty() && globs.stream().allMatch(g -> g.chars().noneMatch(c -> c == '*'
                    || c == '?' || c == '['));
            List<Node> nodes = new ArrayList<>(namesOnly ? globs.stream().distinct().map(manager.registry()::findNodeByName)
                    .flatMap(java.util.Optional::stream).filter(query::matches).toList()
                    : manager.registry().getNodes(query));
            if (!globs.isEmpty()) {
                nodes.removeIf(n -> globs.stream().noneMatch(g -> NodeQuery.globMatches(g, n.name())));
                // a name without * ? [ asks for that node: one that is not there is said (a glob may match nothing)
                for (String g : globs) {
                    if (g.chars().noneMatch(c -> c == '*' || c == '?' || c == '[')
                            && nodes.stream().noneMatch(n -> n.name().equals(g))) {
                        throw new NodeNotFoundException("No " + (type == null ? "node" : type.equals("vm") ? "VM"
                                : "hypervisor") + " named " + g + (filtered(a) ? " matches the filters" : "")
                                + ".", g);
                    }
                }
            }
            if (a.flag("stuck")) {
                Monitor m = monitor;
                if (m == null) {
                    throw new ServiceUnavailableException("monitor");
                }
                Set<String> stuck = new TreeSet<>(m.stuck().stream().map(Node::id).toList());
                nodes.removeIf(n -> !VmStates.TRANSITIONAL.contains(n.state()) || !stuck.contains(n.id()));
            }
            nodes.sort(Comparator.comparing(Node::name));
            if (a.flag("json")) {
                return command.equals("listhv") ? NodeFormat.hypervisorsJson(hypervisors(nodes)) : NodeFormat.json(nodes);
            }
            if (nodes.isEmpty()) {
                return null;
            }
            return command.equals("listhv") ? new NodeFormat(style(session)).hypervisors(hypervisors(nodes))
                    : new NodeFormat(style(session)).list(nodes);
        });
    }

    /** Whether the listing was narrowed by an option besides names. */
    private static boolean filtered(ParsedArgs a) {
        return a.flag("stuck") || !a.values("tag").isEmpty() || java.util.stream.Stream.of("type", "tenant", "key",
                "state", "parent").anyMatch(o -> a.value(o) != null);
    }

    private List<Hypervisor> hypervisors(List<Node> nodes) {
        return nodes.stream().map(n -> manager.getNode(n.id())).filter(Hypervisor.class::isInstance)
                .map(Hypervisor.class::cast).toList();
    }

    @Descriptor("show parents with their children, then nodes on their own")
    @Usage(synopsis = "tree", role = "viewer")
    public String tree(CommandSession session, @Descriptor("no arguments") String... args) {
        parse("tree", args);
        return run("tree", null, () -> {
            List<Node> all = manager.registry().getNodes(NodeQuery.all());
            return all.isEmpty() ? null : new NodeFormat(style(session)).tree(all);
        });
    }

    @Descriptor("show everything about a node")
    @Usage(synopsis = "info [--json] NODE", flags = "json", min = 1, max = 1, args = Arg.NODE, role = "viewer")
    public String info(CommandSession session, @Descriptor(OPTIONS) String... args) {
        ParsedArgs a = parse("info", args);
        String ref = a.arg(0);
        return run("info", ref, () -> {
            Registry registry = manager.registry();
            Node n = registry.resolve(ref);
            List<Node> kids = registry.getChildren(n.id());
            return a.flag("json") ? NodeFormat.json(n, kids) : new NodeFormat(style(session)).info(n, kids);
        });
    }

    @Descriptor("provision a new node (type vm unless --type says otherwise) with the given definition")
    @Usage(synopsis = "new [--name NAME] [--type TYPE] [--tenant T] [--tag K[=V]]... NODE-ID [KEY=VALUE...]",
            values = {"name", "type", "tenant", "tag"}, min = 1, max = Usage.ANY, args = Arg.NEW)
    public String _new(@Descriptor(OPTIONS) String... args) {
        ParsedArgs a = parse("new", args);
        String id = a.arg(0);
        Map<String, String> definition = Pairs.definition(a, a.positional().subList(1, a.positional().size()));
        Map<String, String> tags = Pairs.tags(a, a.values("tag"), false);
        return run("new", id, () -> {
            Node n = manager.provisioner().provision(new ProvisionRequest(id, a.value("name"), a.value("type"),
                    a.value("tenant"), definition, tags, Set.of()));
            return "new: OK (" + n.name() + ")" + firstPoll(n);
        });
    }

    /** A new hypervisor is polled at once, so its capacity is known before anything is placed on it. */
    private String firstPoll(Node n) {
        if (!n.type().equals(Hypervisor.TYPE)) {
            return "";
        }
        Object report;
        try {
            report = manager.action("poll", Map.of(vagoth.api.action.Action.NODE_ARG, n.id()));
        } catch (vagoth.api.VagothException e) {
            return "; not polled (" + e.getMessage() + "): 'poll' does it";
        }
        Node polled = manager.registry().getNode(n.id());
        if (report instanceof vagoth.api.virt.PollReport r && r.unreachable().contains(n.id())) {
            return "; its first poll failed, so nothing is placed on it until it answers: "
                    + polled.metadata().getOrDefault(VmStates.LAST_ERROR, "(no reason given)");
        }
        return "; polled: " + polled.state();
    }

    @Descriptor("change a node's name, tenant, tags (K= deletes a tag) or recorded state (a known one, or any with"
            + " --force)")
    @Usage(synopsis = "set [--name NAME] [--tenant T] [--tag K=V | --tag K=]... [--state S [--force]] NODE",
            values = {"name", "tenant", "tag", "state"}, flags = "force", min = 1, max = 1, args = Arg.NODE)
    public String set(@Descriptor(OPTIONS) String... args) {
        ParsedArgs a = parse("set", args);
        String ref = a.arg(0);
        NodeUpdate update = update(a);
        return run("set", ref, () -> {
            Registry registry = manager.registry();
            Node n = registry.updateNode(registry.resolve(ref).id(), update);
            return "set: OK (" + n.name() + ")";
        });
    }

    private static NodeUpdate update(ParsedArgs a) {
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
                        new TreeSet<>(VmStates.KNOWN)) + "); --force records it all the same");
            }
            b.state(state);
        } else if (a.flag("force")) {
            throw a.usage("--force goes with --state");
        }
        NodeUpdate update = b.build();
        if (update.isEmpty()) {
            throw a.usage("nothing to change");
        }
        return update;
    }

    @Descriptor("give a node a new name")
    @Usage(synopsis = "rename NODE NEW-NAME", min = 2, max = 2, args = {Arg.NODE, Arg.NEW})
    public String rename(@Descriptor("NODE NEW-NAME") String... args) {
        ParsedArgs a = parse("rename", args);
        String ref = a.arg(0);
        return run("rename", ref, () -> {
            Registry registry = manager.registry();
            Node n = registry.rename(registry.resolve(ref).id(), a.arg(1));
            List<String> warnings = manager.provisioner().renamed(n.id()); // its DNS name and fqdn follow
            StringBuilder out = new StringBuilder("rename: OK (" + n.name() + ")");
            warnings.forEach(w -> out.append("\nrename: warning: ").append(vagoth.api.Printable.of(w)));
            return out.toString();
        });
    }

    @Descriptor("remove a node through the provisioner (it must have no parent or children)")
    @Usage(synopsis = "delete NODE", min = 1, max = 1, args = Arg.NODE)
    public String delete(@Descriptor("NODE") String... args) {
        ParsedArgs a = parse("delete", args);
        String ref = a.arg(0);
        return run("delete", ref, () -> {
            Node n = manager.registry().resolve(ref);
            manager.provisioner().deprovision(n.id());
            return "delete: OK (" + n.name() + ")";
        });
    }
}
