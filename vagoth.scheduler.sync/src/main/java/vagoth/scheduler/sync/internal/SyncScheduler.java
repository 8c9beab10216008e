package vagoth.scheduler.sync.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.VagothException;
import vagoth.api.job.Action;
import vagoth.api.job.Job;
import vagoth.api.job.JobStore;
import vagoth.api.job.Scheduler;
import vagoth.api.job.Transaction;
import vagoth.api.job.VagothScheduler;

/**
 * Runs each action at once, in the caller's thread and transaction, as the
 * original's synchronous scheduler did, and records it as a job. A failing
 * action's exception reaches the caller unchanged (and the job says failed).
 * Jobs left queued by a background scheduler that was swapped out run first,
 * oldest first, so no queued work is lost or reordered.
 */
@Component(service = Scheduler.class)
@VagothScheduler("sync")
public final class SyncScheduler implements Scheduler {
    private final Manager manager;

    @Activate
    public SyncScheduler(@Reference Manager manager) {
        this.manager = manager;
    }

    @Override
    public Job schedule(String queue, String action, Map<String, String> args) {
        JobStore store = manager.jobs();
        runLeftovers(store);
        return manager.inTransaction(() -> {
            Transaction tx = manager.currentTransaction().orElseThrow();
            Job job = store.create(queue, action, args, tx);
            store.start(job.id());
            try {
                manager.action(action, Action.asJob(args, job.id()));
            } catch (RuntimeException e) {
                store.finish(job.id(), describe(e));
                throw e;
            }
            return store.finish(job.id(), null);
        });
    }

    private synchronized void runLeftovers(JobStore store) {
        for (Job left : store.queued()) {
            if (store.start(left.id()).isEmpty()) {
                continue;
            }
            String error = null;
            try {
                manager.inTransaction(new Transaction(left.txid(), left.source()),
                        () -> manager.action(left.action(), Action.asJob(left.args(), left.id())));
            } catch (RuntimeException e) {
                error = describe(e);
            }
            store.finish(left.id(), error);
        }
    }

    static String describe(RuntimeException e) {
        return e instanceof VagothException || e.getMessage() != null ? String.valueOf(e.getMessage()) : e.toString();
    }
}
