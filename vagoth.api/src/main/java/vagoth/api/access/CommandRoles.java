package vagoth.api.access;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The role a command line needs, decided as the command's own parser reads it
 * (its options, a {@code --} and all), never from a position in the argument
 * list: what the remote API's {@code /command} route asks of the caller's
 * token. A command not known to only read needs an operator or more.
 */
@ProviderType
public interface CommandRoles {
    /**
     * @param args the command's name, then its arguments as typed
     * @return the least role that may run it; {@link Role#ADMIN} for a command it does not know
     */
    Role needed(List<String> args);
}
