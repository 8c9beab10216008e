package vagoth.shell.internal;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import vagoth.api.access.CommandRoles;
import vagoth.api.access.Role;

/**
 * The roles commands need, from their {@link Usage} (one table: how a command
 * is called and who may call it are written together), decided on the
 * arguments as the command's own parser reads them: {@code job --json retry
 * ID} and {@code job -- retry ID} are a retry, an operator's.
 */
@Component(service = CommandRoles.class)
public final class UsageRoles implements CommandRoles {
    @Override
    public Role needed(List<String> args) {
        if (args.isEmpty()) {
            return Role.ADMIN;
        }
        CommandSpec spec = Commands.all().get(args.get(0));
        if (spec == null) {
            return Role.ADMIN; // not known to only read
        }
        if (spec.acts().isEmpty()) {
            return spec.role();
        }
        ParsedArgs parsed;
        try {
            parsed = ParsedArgs.parse(spec, args.subList(1, args.size()).toArray(String[]::new));
        } catch (UsageException e) {
            return Role.OPERATOR.includes(spec.role()) ? Role.OPERATOR : spec.role(); // runs nothing; not a way round
        }
        boolean acts = parsed.positional().stream().anyMatch(spec.acts()::contains); // job retry ID, ha VM on
        return acts && !spec.role().includes(Role.OPERATOR) ? Role.OPERATOR : spec.role();
    }
}
