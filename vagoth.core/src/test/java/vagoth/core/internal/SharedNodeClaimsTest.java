package vagoth.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.job.Job;
import vagoth.api.job.Transaction;
import vagoth.testing.MemoryJobStore;

/**
 * On job records shared by several daemons, a node is not idle while another
 * daemon — another machine, another home — runs a job of its queue: the
 * monitor leaves a migration under way anywhere alone.
 */
class SharedNodeClaimsTest {
    @TempDir
    Path home;

    @Test
    void aNodeWithAJobRunningInAnotherDaemonIsNotIdle() {
        MemoryJobStore shared = MemoryJobStore.sharedByDaemons();
        VagothManager m = new VagothManager("monitor", 0, home.resolve("claims"));
        m.bindJobs(shared);
        // as another daemon: its migration of vm1 runs
        Job migration = shared.create("vm1", "migrate", Map.of("node", "vm1"), new Transaction("0000cafe", "bob"));
        assertTrue(shared.start(migration.id()).isPresent());

        AtomicBoolean ran = new AtomicBoolean();
        assertFalse(m.ifNodeIdle("vm1", () -> ran.set(true)), "vm1 is busy in another daemon");
        assertFalse(ran.get());
        assertTrue(m.ifNodeIdle("vm2", () -> ran.set(true)), "another node is idle");
        assertTrue(ran.get());

        shared.finish(migration.id(), null);
        ran.set(false);
        assertTrue(m.ifNodeIdle("vm1", () -> ran.set(true)), "idle once the migration ended");
        assertTrue(ran.get());
    }

    @Test
    void aStoreOfThisHomeAloneLeavesItToTheClaims() {
        MemoryJobStore local = new MemoryJobStore();
        VagothManager m = new VagothManager("monitor", 0, home.resolve("claims"));
        m.bindJobs(local);
        Job running = local.create("vm1", "migrate", Map.of("node", "vm1"), new Transaction("0000cafe", "bob"));
        local.start(running.id());
        AtomicBoolean ran = new AtomicBoolean();
        assertTrue(m.ifNodeIdle("vm1", () -> ran.set(true)), "this home's claims say whether vm1 is busy here");
        assertTrue(ran.get());
    }
}
