package vagoth.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import vagoth.api.job.Job;
import vagoth.api.job.JobStore;
import vagoth.api.job.Transaction;

/**
 * What every job store promises of {@link JobStore#markRetried}, checked the
 * same way for each: two stores over the same records (as two processes or
 * daemons have) race to mark one failed job retried, and exactly one wins.
 */
public final class RetryOnce {
    private RetryOnce() {
    }

    /** {@code a} and {@code b} share their records; {@code sync} makes what {@code a} wrote visible to {@code b}. */
    public static void check(JobStore a, JobStore b, Runnable sync) throws Exception {
        Job j = a.create("vm1", "start", Map.of("node", "vm1"), new Transaction("6e2bc0fb", "myuser"));
        a.start(j.id());
        a.finish(j.id(), "the hypervisor said no");
        sync.run();
        CyclicBarrier go = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Optional<String>> first = pool.submit(() -> {
                go.await();
                return a.markRetried(j.id(), "aaaa0001");
            });
            Future<Optional<String>> second = pool.submit(() -> {
                go.await();
                return b.markRetried(j.id(), "bbbb0002");
            });
            List<Optional<String>> got = List.of(first.get(), second.get());
            assertEquals(1, got.stream().filter(Optional::isEmpty).count(), "exactly one retry: " + got);
            String winner = got.get(0).isEmpty() ? "aaaa0001" : "bbbb0002";
            assertEquals(Optional.of(JobStore.RETRIED + winner),
                    got.stream().filter(Optional::isPresent).findFirst().orElseThrow());
            assertEquals(Optional.of(JobStore.RETRIED + winner), a.markRetried(j.id(), "cccc0003"));
            assertTrue(b.steps(j.id()).contains(JobStore.RETRIED + winner), b.steps(j.id()).toString());
        } finally {
            pool.shutdownNow();
        }
    }
}
