package vagoth.scheduler.sync.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.VagothException;
import vagoth.api.action.Action;
import vagoth.api.job.Job;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobState;
import vagoth.api.job.JobStore;
import vagoth.api.scheduler.Scheduler;
import vagoth.api.job.Transaction;
import vagoth.api.scheduler.VagothScheduler;
import vagoth.api.Selection;
import vagoth.support.bind.Lookup;
import java.util.function.Supplier;
import org.osgi.service.component.ComponentContext;

/**
 * Runs each action at once, in the caller's thread and transaction, as the
 * original's synchronous scheduler did, and records it as a job. A failing
 * action's exception reaches the caller unchanged (and the job says failed).
 * Jobs left queued by a background scheduler that was swapped out run first,
 * oldest first, so no queued work is lost or reordered.
 */
@Component(service = Scheduler.class, configurationPid = Selection.PID,
        reference = @Reference(name = SyncScheduler.MANAGER, service = Manager.class))
@VagothScheduler("sync")
public final class SyncScheduler implements Scheduler {
    /** Looked up at use: the manager binds the node types that schedule through this scheduler. */
    static final String MANAGER = "manager";
    private final Supplier<Manager> manager;
    private final JobStore store;

    @Activate
    public SyncScheduler(ComponentContext context, @Reference(name = Selection.JOBS) JobStore store) {
        this(Lookup.of(context, MANAGER, Manager.class, "manager"), store);
    }

    /** For tests, benchmarks and embedding. */
    public SyncScheduler(Manager manager, JobStore store) {
        this(() -> manager, store);
    }

    private SyncScheduler(Supplier<Manager> manager, JobStore store) {
        this.manager = manager;
        this.store = store;
    }

    @Override
    public Job schedule(String queue, String action, Map<String, String> args) {
        Manager manager = this.manager.get();
        runLeftovers(manager);
        return manager.inTransaction(() -> {
            Transaction tx = manager.currentTransaction().orElseThrow();
            Job job = store.create(queue, action, args, tx);
            awaitTurn(job);
            try {
                manager.action(action, Action.asJob(args, job.id()));
            } catch (RuntimeException e) {
                store.finish(job.id(), describe(e));
                throw e;
            }
            return store.finish(job.id(), null);
        });
    }

    /**
     * Starts the job once its turn has come: at once, unless the store is
     * shared and another process runs (or has queued earlier) work on the same
     * queue. Interrupted while waiting, it cancels the job, which never ran.
     */
    private void awaitTurn(Job job) {
        long pause = 5;
        while (store.start(job.id()).isEmpty()) {
            Job now = store.get(job.id()).orElseThrow(() -> new JobNotFoundException(job.id()));
            if (now.state() != JobState.QUEUED) {
                throw new VagothException("Job " + job.id() + " was " + now.state().label() + " before it could run"
                        + (now.error() == null ? "" : ": " + now.error()), job.id());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                store.cancel(job.id());
                throw new VagothException("Interrupted while job " + job.id() + " waited for its queue ("
                        + job.queue() + "); it was cancelled and did not run", job.id());
            }
            pause = Math.min(200, pause * 2);
        }
    }

    private synchronized void runLeftovers(Manager manager) {
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
