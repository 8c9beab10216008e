package vagoth.jobs.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobHistoryCopy;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.testing.MemoryJobStore;
import vagoth.testing.PostgresServer;

/** The job history moves into PostgreSQL and out of it, verified, with its steps; open jobs refuse it. */
@Tag("postgres") // a PostgreSQL server of its own: left out of the fast tier
@Timeout(120)
class JobHistoryCopyTest {
    private static final Transaction TX = new Transaction("00c0b1e5", "myuser");
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();

    @Test
    void theHistoryMovesToPostgresAndBackWithItsSteps() throws Exception {
        String url = PG.server().database("history");
        MemoryJobStore from = new MemoryJobStore();
        MemoryJobStore back = new MemoryJobStore();
        try (PostgresJobStore pg = new PostgresJobStore(url, PG.server().user(), "",
                Duration.ofSeconds(30))) {
            Job done = from.create("vm1", "define", Map.of("node", "vm1"), TX);
            from.start(done.id());
            from.step(done.id(), "placed on hyper1");
            from.step(done.id(), "defined");
            from.finish(done.id(), null);
            Job failed = from.create("vm2", "start", Map.of("node", "vm2"), TX);
            from.start(failed.id());
            from.finish(failed.id(), "hyper1: no such domain");
            Job cancelled = from.create("vm3", "stop", Map.of(), TX);
            from.cancel(cancelled.id());

            assertEquals(new JobHistoryCopy.Copied(3, 0, 0), JobHistoryCopy.copy(from, pg));
            assertEquals(List.of("placed on hyper1", "defined"), pg.steps(done.id()));
            assertEquals(JobState.FAILED, pg.get(failed.id()).orElseThrow().state());
            assertEquals("hyper1: no such domain", pg.get(failed.id()).orElseThrow().error());
            assertEquals(List.of(cancelled.id(), failed.id(), done.id()), pg.list(JobQuery.recent(10)).stream()
                    .map(Job::id).toList(), "most recent first, as in the source");
            assertEquals(new JobHistoryCopy.Copied(0, 3, 0), JobHistoryCopy.copy(from, pg), "a second copy adds nothing");

            assertEquals(new JobHistoryCopy.Copied(3, 0, 0), JobHistoryCopy.copy(pg, back));
            assertEquals(List.of("placed on hyper1", "defined"), back.steps(done.id()));
            assertEquals(pg.get(failed.id()).orElseThrow().error(), back.get(failed.id()).orElseThrow().error());
        }
    }

    @Test
    void aQueuedOrRunningJobRefusesTheCopyAndNothingIsCopied() throws Exception {
        String url = PG.server().database("open");
        MemoryJobStore from = new MemoryJobStore();
        try (PostgresJobStore pg = new PostgresJobStore(url, PG.server().user(), "", Duration.ofSeconds(30))) {
            Job done = from.create("vm1", "define", Map.of(), TX);
            from.start(done.id());
            from.finish(done.id(), null);
            Job queued = from.create("vm1", "start", Map.of(), TX);
            VagothException e = assertThrows(VagothException.class, () -> JobHistoryCopy.copy(from, pg));
            assertTrue(e.getMessage().startsWith("1 job(s) are queued or running (" + queued.id() + ")"), e.getMessage());
            assertTrue(pg.list(JobQuery.recent(10)).isEmpty(), "nothing was copied");
        }
    }
}
