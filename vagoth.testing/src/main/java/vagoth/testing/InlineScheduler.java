package vagoth.testing;

import java.util.Map;

import vagoth.api.Manager;
import vagoth.api.VagothException;
import vagoth.api.action.Action;
import vagoth.api.job.Job;
import vagoth.api.job.JobStore;
import vagoth.api.scheduler.Scheduler;

/**
 * A scheduler for unit tests of actions and node types: runs each job at
 * once, in the caller's thread and transaction, through the manager, and
 * records it in the given job store. A failing action fails the call (and the
 * job says why).
 */
public final class InlineScheduler implements Scheduler {
    private final Manager manager;
    private final JobStore jobs;

    public InlineScheduler(Manager manager, JobStore jobs) {
        this.manager = manager;
        this.jobs = jobs;
    }

    @Override
    public Job schedule(String queue, String action, Map<String, String> args) {
        return manager.inTransaction(() -> {
            Job job = jobs.create(queue, action, args, manager.currentTransaction().orElseThrow());
            jobs.start(job.id());
            try {
                manager.action(action, Action.asJob(args, job.id()));
            } catch (RuntimeException e) {
                jobs.finish(job.id(), e instanceof VagothException ? e.getMessage() : e.toString());
                throw e;
            }
            return jobs.finish(job.id(), null);
        });
    }
}
