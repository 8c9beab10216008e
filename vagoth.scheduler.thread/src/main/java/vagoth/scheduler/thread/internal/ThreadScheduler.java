package vagoth.scheduler.thread.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
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
 *
 * <p>On a {@linkplain JobStore#shared() shared} job store (several daemons on
 * one database) the store keeps the queues: a claiming thread takes as many
 * runnable jobs as there are free threads, whichever daemon queued them, and
 * the store's claims keep each queue in order and one job at a time across
 * every daemon.
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
    /** Free threads, on a shared store; the claiming thread takes at most this many jobs. */
    private final Semaphore free;
    private final int threads;
    /** Claims jobs from a shared store; null on a store of this process's own. */
    private final Thread claimer;
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
        this.threads = threads;
        this.free = new Semaphore(threads);
        if (jobs.shared()) {
            claimer = new Thread(this::claimAll, "vagoth-job-claims");
            claimer.setDaemon(true);
            claimer.start();
        } else {
            claimer = null;
            for (Job left : jobs.queued()) {
                enqueue(left);
            }
        }
    }

    /** When most threads are busy, how long a claim waits for half of them to be free. */
    private static final long BATCH_WAIT_MS = 2;
    /** How long one claim waits for work before it looks again. */
    private static final Duration CLAIM_WAIT = Duration.ofSeconds(1);

    /** Until stopped: claims runnable jobs for the free threads and runs them. */
    private void claimAll() {
        long quietUntil = 0;
        while (!stopping) {
            int taken = 0;
            try {
                free.acquire();
                taken = 1 + free.drainPermits();
                int half = threads / 2;
                if (taken < half && free.tryAcquire(half - taken, BATCH_WAIT_MS, TimeUnit.MILLISECONDS)) {
                    taken = half + free.drainPermits(); // busy: one claim for several threads, not one each
                }
                List<Job> got = jobs.claim(taken, CLAIM_WAIT);
                for (Job job : got) {
                    pool.execute(() -> {
                        try {
                            execute(job);
                        } finally {
                            free.release();
                        }
                    });
                }
                taken -= got.size();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() - quietUntil > 0) {
                    LOG.log(Level.WARNING, "Claiming jobs failed: {0}; trying again", e.getMessage());
                    quietUntil = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                }
                pause(CLAIM_WAIT);
            } finally {
                free.release(taken);
            }
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
            if (claimer == null) {
                enqueue(job);
            } // else the shared store wakes the claiming threads of every daemon
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
        running.add(job.id()); // before the claim, so a stop never misses a running job
        if (jobs.start(job.id()).isEmpty()) {
            running.remove(job.id());
            return; // cancelled, or claimed by another scheduler
        }
        execute(job);
    }

    /** Runs a job this scheduler has claimed and records how it ended. */
    private void execute(Job job) {
        running.add(job.id());
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
            jobs.finish(job.id(), error);
        } catch (RuntimeException e) {
            // recorded as interrupted meanwhile (the scheduler stopped before it finished)
            LOG.log(Level.INFO, "Job {0} ended after it was recorded as interrupted: {1}", job.id(), e.getMessage());
        }
    }

    @Deactivate
    public void stop() {
        stopping = true;
        if (claimer != null) {
            claimer.interrupt();
            try {
                claimer.join(TimeUnit.SECONDS.toMillis(stopTimeoutSeconds) + 5_000); // what it claimed goes to the pool
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
