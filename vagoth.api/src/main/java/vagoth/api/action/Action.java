package vagoth.api.action;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;
import vagoth.api.job.JobStore;
import vagoth.api.scheduler.Scheduler;

/**
 * A named unit of work ({@code start}, {@code define}, {@code poll}...).
 * Published as a service with {@link #NAME} set ({@link VagothAction}); run
 * through {@link vagoth.api.Manager#action} or a {@link Scheduler}.
 */
@ConsumerType
public interface Action {
    /** Service property: the action's name. */
    String NAME = "vagoth.action";
    /** The argument naming the node an action is about. */
    String NODE_ARG = "node";
    /** The argument a scheduler adds: the id of the job the action runs as (for {@link JobStore#step}). */
    String JOB_ARG = "job";

    /** {@code args} with the job an action runs as. */
    static java.util.Map<String, String> asJob(java.util.Map<String, String> args, String jobId) {
        java.util.Map<String, String> out = new java.util.HashMap<>(args);
        out.put(JOB_ARG, jobId);
        return java.util.Map.copyOf(out);
    }

    /**
     * @return a result for the caller, or {@code null}
     * @throws vagoth.api.VagothException (typically {@link ActionException}) when the work fails
     */
    Object run(ActionContext context, Map<String, String> args);
}
