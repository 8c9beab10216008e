package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code vagoth token}: tokens of the remote API made, listed and revoked from the command line. */
@Timeout(300)
class TokenCommandsIT {
    @TempDir
    Path home;

    private VagothProcess.Result vagoth(String... args) throws Exception {
        return VagothProcess.run(home, List.of(), args);
    }

    @Test
    void aTokenIsShownOnceKeptAsAHashListedAndRevoked() throws Exception {
        VagothProcess.Result made = vagoth("token", "create", "--role", "operator", "--name", "ci", "--expires", "30d");
        assertEquals(0, made.status(), made.toString());
        String bearer = made.out().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(bearer.matches("vgt_[0-9a-f]{8}_[A-Za-z0-9_-]{43}"), made.out());
        String id = bearer.substring(4, 12);
        Path file = home.resolve("var/access/tokens.json");
        assertFalse(Files.readString(file).contains(bearer.substring(13)), "the secret is not kept");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)));

        String list = vagoth("token", "list").out();
        assertTrue(list.lines().anyMatch(l -> l.startsWith(id) && l.contains("ci") && l.contains("operator")), list);
        assertFalse(list.contains(bearer.substring(13)), list);

        assertEquals(0, vagoth("token", "revoke", id).status());
        assertEquals("", vagoth("token", "list").out());
        VagothProcess.Result again = vagoth("token", "revoke", id);
        assertEquals(1, again.status());
        assertTrue(again.err().contains("no token " + id), again.err());
    }

    @Test
    void badInputIsRefusedAndChangesNothing() throws Exception {
        assertEquals(0, vagoth("token", "create", "--role", "viewer", "--name", "grafana").status());
        String before = Files.readString(home.resolve("var/access/tokens.json"));
        String[][] bad = {
            {"token", "create", "--role", "boss"},
            {"token", "create", "--name", "x"},
            {"token", "create", "--role", "admin", "--expires", "soon"},
            {"token", "create", "--role", "admin", "--expires", "0d"},
            {"token", "create", "--role", "admin", "--name", "../etc"},
            {"token", "create", "--role", "admin", "--name", "grafana"},
            {"token", "rotate"},
            {"token", "list", "extra"},
        };
        for (String[] args : bad) {
            VagothProcess.Result r = vagoth(args);
            assertTrue(r.status() == 1 || r.status() == 2, String.join(" ", args) + ": " + r);
            assertTrue(r.err().startsWith("token"), String.join(" ", args) + ": " + r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertEquals(before, Files.readString(home.resolve("var/access/tokens.json")));
    }
}
