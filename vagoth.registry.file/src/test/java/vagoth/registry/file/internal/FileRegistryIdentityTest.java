package vagoth.registry.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.Node;
import vagoth.api.VagothException;
import vagoth.support.io.FileIo;
import vagoth.support.io.StoreIdentity;

/** A registry the home made is never replaced by an empty one when its directory is gone or another. */
@Timeout(60)
class FileRegistryIdentityTest {
    @TempDir
    Path home;

    private FileRegistry open(Path dir) {
        return new FileRegistry(FileIo.REAL, dir, StoreIdentity.record(home, "registry.file"), 1 << 20);
    }

    private static Node vm(String id) {
        return new Node(id, id, "vm", "", Map.of(), Map.of(), Map.of(), Set.of(), null);
    }

    @Test
    void aMissingRegistryTheHomeMadeIsRefusedAndNothingIsMade() throws Exception {
        Path dir = home.resolve("var/registry");
        try (FileRegistry r = open(dir)) {
            r.addNode(vm("web1"));
        }
        assertTrue(Files.exists(StoreIdentity.record(home, "registry.file")), "the home records its registry");
        Path aside = home.resolve("aside");
        Files.move(dir, aside);
        try (FileRegistry r = open(dir)) {
            VagothException e = assertThrows(VagothException.class, () -> r.addNode(vm("newvm")));
            assertTrue(e.getMessage().startsWith("The registry at " + dir + " is missing, but this home made one there"),
                    e.getMessage());
            assertFalse(Files.exists(dir), "no empty registry was made in its place");
        }
        Files.move(aside, dir);
        try (FileRegistry r = open(dir)) {
            assertEquals(1, r.size(), "restored, it opens as it was");
        }
    }

    @Test
    void anotherRegistryIsRefused() throws Exception {
        try (FileRegistry r = open(home.resolve("var/registry"))) {
            r.addNode(vm("web1"));
        }
        try (FileRegistry other = new FileRegistry(home.resolve("other"), 1 << 20)) {
            other.addNode(vm("x"));
        }
        try (FileRegistry r = open(home.resolve("other"))) {
            VagothException e = assertThrows(VagothException.class, () -> r.size());
            assertTrue(e.getMessage().contains("is another one"), e.getMessage());
        }
    }

    @Test
    void aRegistryFromBeforeIdentitiesIsAdopted() throws Exception {
        Path dir = home.resolve("var/registry");
        try (FileRegistry r = new FileRegistry(dir, 1 << 20)) { // no home record, as before
            r.addNode(vm("web1"));
        }
        Files.delete(dir.resolve("identity"));
        try (FileRegistry r = open(dir)) {
            assertEquals(1, r.size());
        }
        assertTrue(Files.exists(dir.resolve("identity")));
        assertEquals(StoreIdentity.recorded(StoreIdentity.record(home, "registry.file")).orElseThrow(),
                Files.readString(dir.resolve("identity")).strip());
    }
}
