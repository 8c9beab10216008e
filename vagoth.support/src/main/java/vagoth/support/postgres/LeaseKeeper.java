package vagoth.support.postgres;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * What keeps a process's leases in the database alive: a daemon thread of
 * its own that runs a step (renew, sweep...) every quarter of a lease until
 * closed. A step that fails does not end it: the failure goes to the
 * keeper's owner, which says it its own way, and the next round tries again
 * (an expired lease is the safe outcome).
 */
public final class LeaseKeeper implements AutoCloseable {
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param name   the thread's name
     * @param lease  how long a lease lasts: the step runs every quarter of it (10 ms at least)
     * @param step   one round
     * @param failed told of a round that failed
     */
    public LeaseKeeper(String name, Duration lease, Runnable step, Consumer<RuntimeException> failed) {
        long period = period(lease);
        this.thread = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    step.run();
                } catch (RuntimeException e) {
                    failed.accept(e);
                }
            }
        }, name);
        thread.setDaemon(true);
    }

    /** How often a keeper of leases lasting {@code lease} runs its step, in milliseconds. */
    public static long period(Duration lease) {
        return Math.max(10, lease.toMillis() / 4);
    }

    public void start() {
        thread.start();
    }

    /** Stops the rounds: the one under way is interrupted, and waited for up to five seconds. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
