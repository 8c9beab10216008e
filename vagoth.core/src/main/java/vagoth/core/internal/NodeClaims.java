package vagoth.core.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

import vagoth.api.registry.RegistryException;
import vagoth.support.io.FileIo;
import vagoth.support.io.SharedFileLock;

/**
 * One node's actions run one at a time across every process sharing a home:
 * an action on a node first claims it, with a lock file under
 * {@code var/claims/} that the daemon and one-shot commands all honour (a
 * second action waits for the first to finish). An action a claimed action
 * runs on the same node (start defining its VM) already holds the claim.
 */
final class NodeClaims {
    private final Path dir;
    private final ThreadLocal<Set<String>> held = ThreadLocal.withInitial(HashSet::new);

    /** @param dir where the claims are kept; null: no claims (a manager without a home, in tests) */
    NodeClaims(Path dir) {
        this.dir = dir;
    }

    /** Runs {@code work} holding the node's claim if nobody holds it now; returns whether it ran. */
    boolean ifFree(String nodeId, Runnable work) {
        if (dir == null || held.get().contains(nodeId)) {
            work.run();
            return true;
        }
        try {
            Files.createDirectories(dir);
            try (SharedFileLock claim = SharedFileLock.open(FileIo.REAL, dir.resolve(nodeId + ".lock"))) {
                SharedFileLock.Held h = claim.tryLock();
                if (h == null) {
                    return false;
                }
                try (h) {
                    held.get().add(nodeId);
                    work.run();
                    return true;
                } finally {
                    held.get().remove(nodeId);
                }
            }
        } catch (IOException e) {
            throw new RegistryException("Cannot claim " + nodeId + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    <T> T claimed(String nodeId, Supplier<T> work) {
        if (dir == null || nodeId == null || held.get().contains(nodeId)) {
            return work.get();
        }
        try {
            Files.createDirectories(dir);
            try (SharedFileLock claim = SharedFileLock.open(FileIo.REAL, dir.resolve(nodeId + ".lock"));
                    SharedFileLock.Held h = claim.lock(false)) {
                held.get().add(nodeId);
                try {
                    return work.get();
                } finally {
                    held.get().remove(nodeId);
                }
            }
        } catch (IOException e) {
            throw new RegistryException("Cannot claim " + nodeId + " in " + dir + ": " + e.getMessage(), e);
        }
    }
}
