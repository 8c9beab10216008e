package vagoth.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import vagoth.api.job.Job;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.JobStore;
import vagoth.api.job.Transaction;

/** {@link JobStore#await}: the one wait for a job, which every store gets. */
@Timeout(30)
class JobStoreAwaitTest {
    /** A store whose one job finishes at the {@code finishAt}-th read. */
    private static JobStore finishingAtRead(int finishAt, AtomicInteger reads) {
        Job queued = new Job("j1", "tx", "me", "q", "a", Map.of(), JobState.QUEUED, null, Instant.now(), null, null);
        return new JobStore() {
            @Override
            public Optional<Job> get(String id) {
                if (!id.equals("j1")) {
                    return Optional.empty();
                }
                return Optional.of(reads.incrementAndGet() >= finishAt
                        ? queued.withState(JobState.DONE, null, Instant.now()) : queued);
            }

            @Override
            public Job create(String queue, String action, Map<String, String> args, Transaction transaction) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<Job> list(JobQuery query) {
                return List.of();
            }

            @Override
            public List<Job> queued() {
                return List.of();
            }

            @Override
            public Optional<Job> start(String id) {
                return Optional.empty();
            }

            @Override
            public Job finish(String id, String error) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Job interrupt(String id, String reason) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Job cancel(String id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void flush() {
            }
        };
    }

    @Test
    void waitsUntilTheJobHasFinished() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        Job j = finishingAtRead(5, reads).await("j1", Duration.ofSeconds(20));
        assertEquals(JobState.DONE, j.state());
        assertEquals(5, reads.get());
    }

    @Test
    void givesUpAtTheTimeoutWithTheJobAsItIs() throws Exception {
        Job j = finishingAtRead(Integer.MAX_VALUE, new AtomicInteger()).await("j1", Duration.ofMillis(50));
        assertEquals(JobState.QUEUED, j.state());
        assertEquals(JobState.QUEUED, finishingAtRead(Integer.MAX_VALUE, new AtomicInteger())
                .await("j1", Duration.ZERO).state());
    }

    @Test
    void anUnknownJobIsSaidToBeUnknownAndAnInterruptEndsTheWait() {
        assertThrows(JobNotFoundException.class, () -> finishingAtRead(1, new AtomicInteger())
                .await("nosuch", Duration.ofSeconds(1)));
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> finishingAtRead(Integer.MAX_VALUE, new AtomicInteger())
                .await("j1", Duration.ofDays(100_000_000)));
        assertTrue(!Thread.interrupted(), "the interrupt was taken by the wait");
    }
}
