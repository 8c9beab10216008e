package vagoth.shell.internal;

import java.util.List;
import java.util.Set;

/**
 * What a command accepts, read from its {@link Usage}.
 *
 * @param name         the command
 * @param subject      what it works on, as {@code help} groups it
 * @param synopsis     its usage line, after {@code vagoth}
 * @param summary      one line saying what it does (its {@code @Descriptor})
 * @param valueOptions options that take a value ({@code --tag k=v}); each may repeat
 * @param flags        options that take none ({@code --json})
 * @param minArgs      positional arguments required
 * @param maxArgs      positional arguments allowed ({@link Usage#ANY} for any)
 * @param args         what each positional argument names; the last repeats
 * @param role         the least role that may run it ({@link Usage#role})
 * @param acts         positional words that make it an operator's ({@link Usage#acts})
 */
record CommandSpec(String name, String subject, String synopsis, String summary, Set<String> valueOptions,
        Set<String> flags, int minArgs, int maxArgs, List<Usage.Arg> args, vagoth.api.access.Role role,
        Set<String> acts) {

    /** What positional argument {@code i} names. */
    Usage.Arg arg(int i) {
        return args.isEmpty() ? Usage.Arg.NODE : args.get(Math.min(i, args.size() - 1));
    }
}
