package vagoth.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import vagoth.api.access.Role;

/** The role of a command line comes from how its parser reads it, never from where a word stands. */
class UsageRolesTest {
    private final UsageRoles roles = new UsageRoles();

    private Role of(String... args) {
        return roles.needed(List.of(args));
    }

    @Test
    void aRetryIsAnOperatorsHoweverItIsWritten() {
        assertEquals(Role.OPERATOR, of("job", "retry", "1a2b3c4d"));
        assertEquals(Role.OPERATOR, of("job", "--json", "retry", "1a2b3c4d"));
        assertEquals(Role.OPERATOR, of("job", "--", "retry", "1a2b3c4d"));
        assertEquals(Role.OPERATOR, of("job", "--bogus", "retry", "1a2b3c4d"), "a usage error is no way round");
        assertEquals(Role.VIEWER, of("ha", "status"));
        assertEquals(Role.OPERATOR, of("ha", "db1", "on"));
        assertEquals(Role.OPERATOR, of("ha", "--priority", "5", "db1", "on"));
        assertEquals(Role.OPERATOR, of("ha", "db1", "off"));
        assertEquals(Role.VIEWER, of("job", "1a2b3c4d"));
        assertEquals(Role.VIEWER, of("job", "--json", "1a2b3c4d"));
    }

    @Test
    void everyCommandSaysWhoMayRunItAndWhatIsNotKnownNeedsAnAdmin() {
        assertEquals(Role.VIEWER, of("list", "--state", "running"));
        assertEquals(Role.OPERATOR, of("start", "vm1"));
        assertEquals(Role.ADMIN, of("token", "create", "--role", "admin"));
        assertEquals(Role.ADMIN, of("fence", "hv1"));
        assertEquals(Role.ADMIN, of("no-such-command"));
        for (CommandSpec spec : Commands.all().values()) {
            assertEquals(spec.role(), of(spec.name()).includes(spec.role()) ? spec.role() : of(spec.name()),
                    spec.name());
        }
    }
}
