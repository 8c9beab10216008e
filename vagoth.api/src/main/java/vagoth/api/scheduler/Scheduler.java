package vagoth.api.scheduler;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;
import vagoth.api.job.Job;

/**
 * Runs actions. Actions given to one queue run in the order they were
 * scheduled; a scheduler may run different queues in parallel. The work runs
 * in the transaction that scheduled it.
 */
@ProviderType
public interface Scheduler {
    /** Service property: the scheduler's name, which configuration selects it by. */
    String NAME = "vagoth.scheduler";


    /**
     * Schedules {@code action} on {@code queue}.
     *
     * @return the job record as it is when this returns: finished for an
     *         inline scheduler, usually queued for a background one
     */
    Job schedule(String queue, String action, Map<String, String> args);
}
