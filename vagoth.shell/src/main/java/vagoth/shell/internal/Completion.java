package vagoth.shell.internal;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.provision.TemplateCatalog;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;

/**
 * What may come next on a command line: command names, a command's options,
 * and the names that fit where the cursor is, as the command's {@link Usage}
 * says (VMs, hypervisors, any node, {@code on}/{@code off}, template names
 * after {@code template=}). Used by the interactive shell that attaches to
 * the daemon.
 */
final class Completion {
    private final Manager manager;
    private final Supplier<TemplateCatalog> templates;

    Completion(Manager manager, Supplier<TemplateCatalog> templates) {
        this.manager = manager;
        this.templates = templates;
    }

    /** @param words the words so far; the last is the one being completed (possibly empty) */
    List<String> candidates(List<String> words) {
        String current = words.isEmpty() ? "" : words.get(words.size() - 1);
        Stream<String> all;
        if (words.size() <= 1) {
            all = commands();
        } else {
            all = forArgument(words.get(0), words.subList(1, words.size() - 1), current);
        }
        return all.filter(c -> c.startsWith(current)).sorted().distinct().toList();
    }

    private Stream<String> forArgument(String command, List<String> before, String current) {
        if (!Commands.all().containsKey(command)) {
            return Stream.empty();
        }
        CommandSpec spec = Commands.spec(command);
        if (current.startsWith("--")) {
            return Stream.concat(spec.valueOptions().stream(), spec.flags().stream()).map(o -> "--" + o);
        }
        String previous = before.isEmpty() ? "" : before.get(before.size() - 1);
        if (previous.equals("--hint") || previous.equals("--parent")) {
            return names(Hypervisor.TYPE);
        }
        if (previous.equals("--type")) {
            return manager.nodeTypes().stream();
        }
        if (previous.startsWith("--") && spec.valueOptions().contains(previous.substring(2))) {
            return Stream.empty();
        }
        if (current.startsWith("template=")) {
            TemplateCatalog catalog = templates.get();
            return catalog == null ? Stream.empty() : catalog.templates().keySet().stream().map(t -> "template=" + t);
        }
        long positional = before.stream().filter(w -> !w.startsWith("--")).count()
                - before.stream().filter(w -> w.startsWith("--") && spec.valueOptions().contains(w.substring(2))).count();
        return switch (spec.arg((int) positional)) {
            case VM -> names(VirtualMachine.TYPE);
            case HV -> names(Hypervisor.TYPE);
            case NODE -> names(null);
            case COMMAND -> commands();
            case ON_OFF -> Stream.of("on", "off");
            case NEW -> Stream.empty();
        };
    }

    /** The commands an operator types: not the completion helper itself. */
    private static Stream<String> commands() {
        return Commands.all().keySet().stream().filter(c -> !c.equals(INTERNAL));
    }

    /** The shell's completion helper, a command for shells only. */
    static final String INTERNAL = "complete";

    private Stream<String> names(String type) {
        Set<String> names = new TreeSet<>();
        for (Node n : manager.registry().getNodes(NodeQuery.all().withType(type))) {
            names.add(n.name());
        }
        return names.stream();
    }
}
