package vagoth.api.job;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The record of every scheduled action, kept under {@code $VAGOTH_HOME/var/}
 * so that queued work survives a restart. Schedulers create and advance jobs
 * through it; state changes are compare-and-set, so a job is never run twice.
 * A job that was running when its process died is reported
 * {@link JobState#INTERRUPTED} and is not run again by itself.
 */
@ProviderType
public interface JobStore {
    /** Service property: the job store's name, which configuration selects it by. */
    String NAME = "vagoth.jobs";


    /** Records a new queued job in the current transaction. */
    Job create(String queue, String action, Map<String, String> args, Transaction transaction);

    Optional<Job> get(String id);

    /** Jobs matching {@code query}, most recent first. */
    List<Job> list(JobQuery query);

    /** Queued jobs, oldest first (the order they must run in, per queue). */
    List<Job> queued();

    /**
     * Claims a queued job for running: {@code QUEUED -> RUNNING}.
     *
     * @return the running job, or empty if it was not queued (cancelled, or claimed already)
     */
    Optional<Job> start(String id);

    /** Records how a running job ended: {@code DONE} with no error, or {@code FAILED} with one. */
    Job finish(String id, String error);

    /** Records that a running job will not finish here (its container stopped). */
    Job interrupt(String id, String reason);

    /**
     * Cancels a queued job.
     *
     * @throws vagoth.api.VagothException if there is no such job or it is no longer queued
     */
    Job cancel(String id);

    /**
     * Whether other processes run this store's queued jobs too (a store shared
     * by several daemons): then a scheduler takes its work with
     * {@link #claim}, not from {@link #queued()}, and a queue's order and its
     * one-job-at-a-time hold across every process.
     */
    default boolean shared() {
        return false;
    }

    /**
     * For a {@link #shared()} store: claims up to {@code max} jobs for running
     * here, waiting up to {@code wait} for one to become claimable. Each is
     * the oldest queued job of a queue in which no job runs anywhere; it is
     * {@code RUNNING} under this process's claim when returned, to be ended
     * with {@link #finish} or {@link #interrupt}.
     *
     * @return the claimed jobs, oldest first; empty when none became claimable in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    default List<Job> claim(int max, Duration wait) throws InterruptedException {
        throw new UnsupportedOperationException("not a shared job store");
    }

    /**
     * Records a finished job copied from another store (moving an
     * installation to another job store), with its steps, exactly as it was.
     *
     * @return false when a job with its id is here already (it is left as it is)
     * @throws vagoth.api.VagothException if the job has not finished
     */
    default boolean restore(Job job, List<String> steps) {
        throw new UnsupportedOperationException("this job store cannot take copied job records");
    }

    /** Makes every record so far durable. */
    void flush();

    /** The start of the step {@link #markRetried} records on a job that was retried. */
    String RETRIED = "retried in transaction ";

    /**
     * Records, once, that finished job {@code id} is retried in transaction
     * {@code txid} (a step {@link #RETRIED}{@code txid}), atomically with every
     * process sharing this store, so that two retries of one job never both
     * run: the one that finds the step already there is refused.
     *
     * @return empty when this call recorded it; the step recorded before otherwise
     * @throws JobNotFoundException if there is no such job
     * @throws UnsupportedOperationException if this store cannot record it (then a job cannot be retried)
     */
    default Optional<String> markRetried(String id, String txid) {
        throw new UnsupportedOperationException("this job store cannot record retries");
    }

    /**
     * Records a step a running job has completed (a multi-step action's
     * progress), durably: after a crash it tells where the job got to.
     * Stores that cannot keep steps ignore them.
     */
    default void step(String id, String step) {
    }

    /** The steps a job recorded, in order. */
    default List<String> steps(String id) {
        return List.of();
    }


    /**
     * Waits until job {@code id} has finished, or {@code timeout} has passed.
     * Jobs are advanced by whichever process runs them, so this reads the
     * record again and again (every 10 ms at first, then less often, up to
     * every 200 ms).
     *
     * @return the job as it is when it finished, or at the timeout (then unfinished)
     * @throws JobNotFoundException if there is no such job
     * @throws InterruptedException if the waiting thread is interrupted
     */
    default Job await(String id, Duration timeout) throws InterruptedException {
        long nanos;
        try {
            nanos = Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 4; // longer than anyone waits
        }
        long deadline = System.nanoTime() + nanos;
        long pause = 10;
        Job j = get(id).orElseThrow(() -> new JobNotFoundException(id));
        while (!j.state().isFinished() && System.nanoTime() < deadline) {
            Thread.sleep(Math.max(1, Math.min(pause, (deadline - System.nanoTime()) / 1_000_000)));
            pause = Math.min(200, pause * 2);
            j = get(id).orElseThrow(() -> new JobNotFoundException(id));
        }
        return j;
    }
}
