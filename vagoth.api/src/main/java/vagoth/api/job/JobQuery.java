package vagoth.api.job;

import vagoth.api.action.Action;

/**
 * Which jobs to list; {@code null} criteria accept anything.
 *
 * @param state the job state
 * @param node  the node the job is about (its {@code node} argument, or its queue)
 * @param txid  the transaction
 * @param limit at most this many, most recent first
 */
public record JobQuery(JobState state, String node, String txid, int limit) {
    public static JobQuery recent(int limit) {
        return new JobQuery(null, null, null, limit);
    }

    public boolean matches(Job job) {
        return (state == null || state == job.state()) && (txid == null || txid.equals(job.txid()))
                && (node == null || node.equals(job.queue()) || node.equals(job.args().get(Action.NODE_ARG)));
    }
}
