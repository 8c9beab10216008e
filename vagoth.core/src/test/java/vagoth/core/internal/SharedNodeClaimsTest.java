package vagoth.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.job.Job;
import vagoth.api.job.Transaction;
import vagoth.jobs.postgres.internal.PostgresJobStore;
import vagoth.testing.PostgresServer;

/**
 * On job records shared by several daemons (a real PostgreSQL), a node is not
 * idle while another daemon — another machine, another home — runs a job of
 * its queue: the monitor leaves a migration under way anywhere alone.
 */
@Timeout(120)
class SharedNodeClaimsTest {
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    @TempDir
    Path home;

    @Test
    void aNodeWithAJobRunningInAnotherDaemonIsNotIdle() throws Exception {
        String url = PG.server().database("claims");
        try (PostgresJobStore mine = new PostgresJobStore(url, PG.server().user(), "", Duration.ofSeconds(30));
                PostgresJobStore other = new PostgresJobStore(url, PG.server().user(), "", Duration.ofSeconds(30))) {
            VagothManager m = new VagothManager("monitor", 0, home.resolve("claims"));
            m.bindJobs(mine);
            Job migration = other.create("vm1", "migrate", Map.of("node", "vm1"), new Transaction("0000cafe", "bob"));
            assertTrue(other.start(migration.id()).isPresent(), "the other daemon runs vm1's migration");

            AtomicBoolean ran = new AtomicBoolean();
            assertFalse(m.ifNodeIdle("vm1", () -> ran.set(true)), "vm1 is busy in another daemon");
            assertFalse(ran.get());
            assertTrue(m.ifNodeIdle("vm2", () -> ran.set(true)), "another node is idle");
            assertTrue(ran.get());

            other.finish(migration.id(), null);
            ran.set(false);
            assertTrue(m.ifNodeIdle("vm1", () -> ran.set(true)), "idle once the migration ended");
            assertTrue(ran.get());
        }
    }
}
