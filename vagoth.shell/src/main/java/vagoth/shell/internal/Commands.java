package vagoth.shell.internal;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.felix.service.command.Descriptor;

/**
 * Every command's usage, read once from the {@link Usage} and
 * {@code @Descriptor} of the command classes' methods, for parsing, usage
 * errors, help and completion.
 */
final class Commands {
    /** The command classes, by subject, in the order {@code help} shows them. */
    static final Map<Class<?>, String> SUBJECTS = subjects();

    private static final Map<String, CommandSpec> SPECS = read();

    private Commands() {
    }

    private static Map<Class<?>, String> subjects() {
        Map<Class<?>, String> m = new LinkedHashMap<>();
        m.put(NodeCommands.class, "nodes");
        m.put(VmCommands.class, "virtual machines");
        m.put(HypervisorCommands.class, "hypervisors");
        m.put(HaCommands.class, "high availability");
        m.put(JobCommands.class, "jobs");
        m.put(TokenCommands.class, "remote access");
        m.put(ShellCommands.class, "this shell");
        return m;
    }

    private static Map<String, CommandSpec> read() {
        Map<String, CommandSpec> specs = new LinkedHashMap<>();
        SUBJECTS.forEach((type, subject) -> {
            List<CommandSpec> found = new ArrayList<>();
            for (Method m : type.getMethods()) {
                Usage u = m.getAnnotation(Usage.class);
                if (u != null) {
                    found.add(spec(m, u, subject));
                }
            }
            found.sort(Comparator.comparing(CommandSpec::name));
            found.forEach(s -> specs.put(s.name(), s));
        });
        return specs;
    }

    /**
     * A command is its method's name: {@code _new} for {@code new} (a Java
     * keyword), {@code copy_registry} for {@code copy-registry} (the launcher
     * turns a command's dashes into the underscores of its Gogo function).
     */
    static String nameOf(Method m) {
        String name = m.getName().startsWith("_") ? m.getName().substring(1) : m.getName();
        return name.replace('_', '-');
    }

    private static CommandSpec spec(Method m, Usage u, String subject) {
        Descriptor d = m.getAnnotation(Descriptor.class);
        if (d == null) {
            throw new IllegalStateException(m + " has a @Usage but no @Descriptor");
        }
        String name = nameOf(m);
        if (!u.synopsis().equals(name) && !u.synopsis().startsWith(name + " ")) {
            throw new IllegalStateException(m + ": the synopsis must start with '" + name + "'");
        }
        return new CommandSpec(name, subject, u.synopsis(), d.value(), Set.of(u.values()), Set.of(u.flags()), u.min(),
                u.max(), List.of(u.args()), vagoth.api.access.Role.of(u.role()), Set.of(u.acts()));
    }

    static CommandSpec spec(String name) {
        CommandSpec s = SPECS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no such command: " + name);
        }
        return s;
    }

    static Map<String, CommandSpec> all() {
        return SPECS;
    }
}
