package vagoth.scheduler.thread.internal;

import java.util.ArrayDeque;
import java.util.function.Consumer;

import vagoth.api.job.Job;

/**
 * One queue: its jobs in the order they were scheduled, run one at a time.
 * At most one worker task per queue is on the pool, which is what keeps a
 * queue in order while different queues run in parallel.
 */
final class QueueWorker implements Runnable {
    /** Jobs a task runs before yielding its thread to other queues. */
    private static final int FAIR_SHARE = 64;
    private final ArrayDeque<Job> jobs = new ArrayDeque<>();
    private final Consumer<Job> runner;
    private final Consumer<QueueWorker> resubmit;
    private final Runnable idle;
    private boolean active;

    QueueWorker(Consumer<Job> runner, Consumer<QueueWorker> resubmit, Runnable idle) {
        this.runner = runner;
        this.resubmit = resubmit;
        this.idle = idle;
    }

    /** @return true when the caller must submit this worker to the pool */
    synchronized boolean add(Job job) {
        jobs.add(job);
        if (active) {
            return false;
        }
        active = true;
        return true;
    }

    @Override
    public void run() {
        for (int i = 0; i < FAIR_SHARE; i++) {
            Job next;
            synchronized (this) {
                next = jobs.poll();
                if (next == null) {
                    active = false;
                }
            }
            if (next == null) {
                idle.run(); // outside this lock: the owner takes its map lock first, then ours
                return;
            }
            runner.accept(next);
        }
        resubmit.accept(this);
    }

    synchronized boolean isIdle() {
        return !active && jobs.isEmpty();
    }
}
