package vagoth.scheduler.thread.internal;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.ServiceUnavailableException;
import vagoth.api.VagothException;
import vagoth.api.action.Action;
import vagoth.api.job.Job;
import vagoth.api.job.JobStore;
import vagoth.api.scheduler.Scheduler;
import vagoth.api.job.Transaction;
import vagoth.api.scheduler.VagothScheduler;
import vagoth.api.Selection;
import vagoth.support.bind.Lookup;
import java.util.function.Supplier;
import org.osgi.service.component.ComponentContext;

/**
 * Runs queues in parallel on a bounded pool, each queue strictly in the order
 * its jobs were scheduled. On start it resumes the jobs a previous scheduler
 * left queued; on stop it lets running jobs finish (up to a timeout) and
 * leaves queued ones queued for whichever scheduler comes next. A job is
 * claimed in the job store before it runs, so none runs twice.
 */
@Component(service = Scheduler.class, configurationPid = {Selection.PID, ThreadScheduler.PID},
        reference = @Reference(name = ThreadScheduler.MANAGER, service = Manager.class))
@VagothScheduler("thread")
public final class ThreadScheduler implements Scheduler {
    static final String PID = "vagoth.scheduler.thread";
    /** Looked up at use: the manager binds the node types that schedule through this scheduler. */
    static final String MANAGER = "manager";
    private static final System.Logger LOG = System.getLogger(ThreadScheduler.class.getName());

    private final Supplier<Manager> manager;
    private final JobStore jobs;
    private final ExecutorService pool;
    private final long stopTimeoutSeconds;
    private final Map<String, QueueWorker> queues = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    @Activate
    public ThreadScheduler(ComponentContext context, @Reference(name = Selection.JOBS) JobStore jobs,
            ThreadSchedulerConfig config) {
        this(Lookup.of(context, MANAGER, Manager.class, "manager"), jobs, config.threads(), config.stop_timeout_s());
    }

    /** For tests, benchmarks and embedding. */
    public ThreadScheduler(Manager manager, JobStore jobs, int threads, long stopTimeoutSeconds) {
        this(() -> manager, jobs, threads, stopTimeoutSeconds);
    }

    private ThreadScheduler(Supplier<Manager> manager, JobStore jobs, int threads, long stopTimeoutSeconds) {
        if (threads < 1) {
            throw new VagothException("vagoth.scheduler.thread threads must be at least 1, not " + threads);
        }
        this.manager = manager;
        this.jobs = jobs;
        this.stopTimeoutSeconds = stopTimeoutSeconds;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vagoth-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (Job left : jobs.queued()) {
            enqueue(left);
        }
    }

    @Override
    public Job schedule(String queue, String action, Map<String, String> args) {
        if (stopping) {
            throw new ServiceUnavailableException("scheduler (the threaded scheduler is stopping)");
        }
        Manager m = manager.get();
        return m.inTransaction(() -> {
            Job job = jobs.create(queue, action, args, m.currentTransaction().orElseThrow());
            enqueue(job);
            return job;
        });
    }

    /**
     * Adds a job to its queue's worker, creating the worker if the queue has
     * none. Adding and retiring an idle worker both happen under the map's
     * lock for that queue, so a queue never has two workers.
     */
    private void enqueue(Job job) {
        QueueWorker[] toSubmit = new QueueWorker[1];
        queues.compute(job.queue(), (q, w) -> {
            QueueWorker worker = w != null ? w : new QueueWorker(this::run, this::submit, () -> retireIfIdle(q));
            if (worker.add(job)) {
                toSubmit[0] = worker;
            }
            return worker;
        });
        if (toSubmit[0] != null) {
            submit(toSubmit[0]);
        }
    }

    private void retireIfIdle(String queue) {
        queues.computeIfPresent(queue, (q, w) -> w.isIdle() ? null : w);
    }

    private void submit(QueueWorker w) {
        try {
            pool.execute(w);
        } catch (RejectedExecutionException e) {
            // stopping: the jobs stay queued in the job store for the next scheduler
        }
    }

    private void run(Job job) {
        if (stopping) {
            return; // left queued in the store
        }
        JobStore store = jobs;
        running.add(job.id()); // before the claim, so a stop never misses a running job
        if (store.start(job.id()).isEmpty()) {
            running.remove(job.id());
            return; // cancelled, or claimed by another scheduler
        }
        String error = null;
        try {
            Manager m = manager.get();
            m.inTransaction(new Transaction(job.txid(), job.source()), () -> m.action(job.action(),
                    Action.asJob(job.args(), job.id())));
        } catch (RuntimeException e) {
            error = e.getMessage() != null ? e.getMessage() : e.toString();
        } finally {
            running.remove(job.id());
        }
        try {
            store.finish(job.id(), error);
        } catch (RuntimeException e) {
            // recorded as interrupted meanwhile (the scheduler stopped before it finished)
            LOG.log(Level.INFO, "Job {0} ended after it was recorded as interrupted: {1}", job.id(), e.getMessage());
        }
    }

    @Deactivate
    public void stop() {
        stopping = true;
        pool.shutdown();
        try {
            if (!pool.awaitTermination(stopTimeoutSeconds, TimeUnit.SECONDS)) {
                // recorded first: once interrupted, a job's own failure must not be what is recorded
                for (String id : running) {
                    try {
                        jobs.interrupt(id, "the scheduler stopped before it finished");
                    } catch (VagothException e) {
                        LOG.log(Level.INFO, "Job {0} ended while the scheduler stopped: {1}", id, e.getMessage());
                    }
                }
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Recording interrupted jobs failed", e);
        }
        try {
            jobs.flush();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Flushing job records failed", e);
        }
    }
}
