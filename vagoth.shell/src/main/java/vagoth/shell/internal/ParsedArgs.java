package vagoth.shell.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command line taken apart: {@code --opt value}, {@code --opt=value},
 * {@code --flag}, and positional arguments; {@code --} ends the options.
 */
final class ParsedArgs {
    private final CommandSpec spec;
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private ParsedArgs(CommandSpec spec) {
        this.spec = spec;
    }

    static ParsedArgs parse(CommandSpec spec, String... args) {
        ParsedArgs p = new ParsedArgs(spec);
        boolean optionsDone = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a == null) {
                throw new UsageException(spec, "empty argument");
            }
            if (optionsDone || !a.startsWith("--") || a.length() == 2) {
                if (!optionsDone && a.equals("--")) {
                    optionsDone = true;
                } else {
                    p.positional.add(a);
                }
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
            if (spec.flags().contains(name)) {
                if (eq >= 0) {
                    throw new UsageException(spec, "option --" + name + " takes no value");
                }
                p.options.computeIfAbsent(name, n -> new ArrayList<>()).add("true");
            } else if (spec.valueOptions().contains(name)) {
                String value;
                if (eq >= 0) {
                    value = a.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new UsageException(spec, "option --" + name + " needs a value");
                }
                p.options.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException(spec, "unknown option --" + name);
            }
        }
        if (p.positional.size() < spec.minArgs()) {
            throw new UsageException(spec, "missing arguments");
        }
        if (p.positional.size() > spec.maxArgs()) {
            throw new UsageException(spec, "too many arguments: " + String.join(" ", p.positional.subList(spec.maxArgs(), p.positional.size())));
        }
        return p;
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    /** The option's last value, or null. */
    String value(String name) {
        List<String> v = options.get(name);
        return v == null ? null : v.get(v.size() - 1);
    }

    List<String> values(String name) {
        return options.getOrDefault(name, List.of());
    }

    List<String> positional() {
        return positional;
    }

    String arg(int i) {
        return positional.get(i);
    }

    UsageException usage(String problem) {
        return new UsageException(spec, problem);
    }
}
