package vagoth.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.JobStore;
import vagoth.api.job.Transaction;

/**
 * A job store in memory, for unit tests of schedulers and actions: the same
 * state rules as the file store (compare-and-set claims, only a queued job is
 * cancelled, only a running one finishes), with steps, and nothing on disk.
 * Several schedulers given one instance see one another's jobs, as processes
 * sharing a home see one file store.
 */
public final class MemoryJobStore implements JobStore {
    private final boolean shared;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<String, List<String>> steps = new LinkedHashMap<>();
    private final AtomicLong next = new AtomicLong();

    public MemoryJobStore() {
        this(false);
    }

    private MemoryJobStore(boolean shared) {
        this.shared = shared;
    }

    /**
     * A store that says it is shared by several daemons, as the PostgreSQL one
     * is: schedulers {@link #claim} from it, and a job's turn comes when no
     * older job of its queue is queued or running.
     */
    public static MemoryJobStore sharedByDaemons() {
        return new MemoryJobStore(true);
    }

    @Override
    public boolean shared() {
        return shared;
    }

    @Override
    public synchronized Job create(String queue, String action, Map<String, String> args, Transaction tx) {
        String id = String.format("%08x", next.incrementAndGet());
        Job j = new Job(id, tx.txid(), tx.source(), queue, action, args, JobState.QUEUED, null, Instant.now(), null,
                null);
        jobs.put(id, j);
        notifyAll();
        return j;
    }

    /** Whether queued job {@code j} is its queue's oldest open job (on a shared store, the only one that may run). */
    private boolean turn(Job j) {
        for (Job other : jobs.values()) {
            if (other == j) {
                return true;
            }
            if (other.queue().equals(j.queue()) && !other.state().isFinished()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized List<Job> claim(int max, java.time.Duration wait) throws InterruptedException {
        if (!shared) {
            return JobStore.super.claim(max, wait);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<Job> got = new ArrayList<>();
            for (Job j : List.copyOf(jobs.values())) {
                if (got.size() < max && j.state() == JobState.QUEUED && turn(j)) {
                    got.add(put(j.withState(JobState.RUNNING, null, Instant.now())));
                }
            }
            long left = deadline - System.nanoTime();
            if (!got.isEmpty() || left <= 0) {
                return got;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public synchronized boolean restore(Job job, List<String> jobSteps) {
        if (!job.state().isFinished()) {
            throw new VagothException("Job " + job.id() + " is " + job.state().label() + ": only a finished job's"
                    + " record can be copied", job.id());
        }
        if (jobs.containsKey(job.id())) {
            return false;
        }
        jobs.put(job.id(), job);
        steps.put(job.id(), new ArrayList<>(jobSteps));
        return true;
    }

    @Override
    public synchronized Optional<String> markRetried(String id, String txid) {
        if (!jobs.containsKey(id)) {
            throw new vagoth.api.job.JobNotFoundException(id);
        }
        List<String> had = steps.computeIfAbsent(id, k -> new ArrayList<>());
        Optional<String> before = had.stream().filter(st -> st.startsWith(RETRIED)).findFirst();
        if (before.isEmpty()) {
            had.add(RETRIED + txid);
        }
        return before;
    }

    @Override
    public synchronized Optional<Job> get(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public synchronized List<Job> list(JobQuery q) {
        List<Job> all = new ArrayList<>(jobs.values());
        List<Job> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && (q.limit() <= 0 || out.size() < q.limit()); i--) {
            if (q.matches(all.get(i))) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    @Override
    public synchronized List<Job> queued() {
        return jobs.values().stream().filter(j -> j.state() == JobState.QUEUED).toList();
    }

    @Override
    public synchronized Optional<Job> start(String id) {
        Job j = jobs.get(id);
        if (j == null || j.state() != JobState.QUEUED || shared && !turn(j)) {
            return Optional.empty();
        }
        return Optional.of(put(j.withState(JobState.RUNNING, null, Instant.now())));
    }

    @Override
    public synchronized Job finish(String id, String error) {
        return put(running(id).withState(error == null ? JobState.DONE : JobState.FAILED, error, Instant.now()));
    }

    @Override
    public synchronized Job interrupt(String id, String reason) {
        return put(running(id).withState(JobState.INTERRUPTED, reason, Instant.now()));
    }

    @Override
    public synchronized Job cancel(String id) {
        Job j = existing(id);
        if (j.state() != JobState.QUEUED) {
            throw new VagothException("Job " + id + " is " + j.state().label() + "; only a queued job can be cancelled",
                    id);
        }
        return put(j.withState(JobState.CANCELLED, "cancelled", Instant.now()));
    }

    @Override
    public void flush() {
        // nothing to make durable
    }

    @Override
    public synchronized void step(String id, String step) {
        existing(id);
        steps.computeIfAbsent(id, x -> new ArrayList<>()).add(step);
    }

    @Override
    public synchronized List<String> steps(String id) {
        return List.copyOf(steps.getOrDefault(id, List.of()));
    }

    private Job running(String id) {
        Job j = existing(id);
        if (j.state() != JobState.RUNNING) {
            throw new VagothException("Job " + id + " is " + j.state().label() + ", not running", id);
        }
        return j;
    }

    private Job existing(String id) {
        Job j = jobs.get(id);
        if (j == null) {
            throw new JobNotFoundException(id);
        }
        return j;
    }

    private Job put(Job j) {
        jobs.put(j.id(), j);
        notifyAll(); // a queue's next job may have come to its turn
        return j;
    }
}
