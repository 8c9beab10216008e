package vagoth.api.job;

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

    /** Makes every record so far durable. */
    void flush();

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
}
