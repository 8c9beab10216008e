package vagoth.shell.internal;

import java.util.Set;

/**
 * What a command accepts, for parsing, usage errors and help.
 *
 * @param name         the command
 * @param synopsis     its usage line, after {@code vagoth}
 * @param summary      one line saying what it does
 * @param valueOptions options that take a value ({@code --tag k=v}); each may repeat
 * @param flags        options that take none ({@code --json})
 * @param minArgs      positional arguments required
 * @param maxArgs      positional arguments allowed ({@link Integer#MAX_VALUE} for any)
 */
record CommandSpec(String name, String synopsis, String summary, Set<String> valueOptions, Set<String> flags,
        int minArgs, int maxArgs) {
}
