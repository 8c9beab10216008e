package vagoth.api.job;

import java.time.Instant;
import java.util.Map;

/**
 * The record of one scheduled action.
 *
 * @param id       unique job id
 * @param txid     the transaction it belongs to
 * @param source   who caused it
 * @param queue    the queue it ran on (a VM's actions use the VM's id)
 * @param action   the action's name
 * @param args     the action's arguments
 * @param state    where it is now
 * @param error    why it failed, or {@code null}
 * @param created  when it was scheduled
 * @param started  when it started, or {@code null}
 * @param finished when it ended, or {@code null}
 */
public record Job(String id, String txid, String source, String queue, String action, Map<String, String> args,
        JobState state, String error, Instant created, Instant started, Instant finished) {

    public Job {
        args = args == null ? Map.of() : Map.copyOf(args);
    }

    public Job withState(JobState s, String err, Instant when) {
        return new Job(id, txid, source, queue, action, args, s, err, created,
                s == JobState.RUNNING ? when : started, s.isFinished() ? when : finished);
    }
}
