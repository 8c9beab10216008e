package vagoth.jobs.postgres.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import vagoth.api.job.Job;
import vagoth.api.job.JobStore;

/**
 * A daemon's workers, as a scheduler on a shared store runs them: each thread
 * claims a job, runs it and records how it ended, until stopped. What a job
 * does is the test's; a failure is recorded as the job's error.
 */
final class Workers implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    Workers(JobStore store, int count, Function<Job, String> work) {
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(() -> {
                while (!stopped) {
                    try {
                        for (Job job : store.claim(1, Duration.ofMillis(500))) {
                            String error;
                            try {
                                error = work.apply(job);
                            } catch (RuntimeException e) {
                                error = String.valueOf(e.getMessage());
                            }
                            store.finish(job.id(), error);
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        pause(); // the database is away, or the job was taken from this daemon: go on
                    }
                }
            }, "test-worker-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread t : threads) {
            t.interrupt();
            t.join(30_000);
        }
    }
}
