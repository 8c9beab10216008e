package vagoth.support.bind;

import java.util.Map;
import java.util.Optional;

import vagoth.api.InvalidValueException;
import vagoth.api.Selection;
import vagoth.api.ServiceUnavailableException;

/**
 * The service a dynamic, greedy reference has bound now: what a plugin holds
 * for each service it calls whose implementation an operator may swap while
 * work runs (the registry, the job store, the scheduler...). The component's
 * bind and unbind methods hand the service over; {@link #get} is called at
 * each use, so work follows a swap instead of writing to an instance that has
 * gone. In the moment of a swap (one unbound, the next not yet bound) a caller
 * waits up to the grace for the next one instead of failing.
 */
public final class Current<S> {
    private final String what;
    private volatile long graceMs;
    /** Read without the lock on every call; written under it. */
    private volatile S service;
    /** When the last service went away (System.nanoTime), or 0. */
    private long unboundAt;

    /**
     * @param what    what the service is, as an operator would name it ("registry")
     * @param graceMs how long a call waits for the next service while one is being swapped
     */
    public Current(String what, long graceMs) {
        this.what = what;
        this.graceMs = graceMs;
    }

    /** A fixed service: for tests and embedding without a framework. */
    public static <S> Current<S> of(String what, S service) {
        Current<S> c = new Current<>(what, 0);
        c.bind(service);
        return c;
    }

    /**
     * The grace a component is configured with: {@value Selection#SWAP_GRACE_MS}
     * from its properties (the selection configuration), or its default.
     */
    public static long grace(Map<String, ?> props) {
        Object v = props.get(Selection.SWAP_GRACE_MS);
        if (v == null || v.toString().isBlank()) {
            return Selection.DEFAULT_SWAP_GRACE_MS;
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new InvalidValueException(Selection.PID + " " + Selection.SWAP_GRACE_MS + " must be a number of"
                    + " milliseconds, not '" + v + "'", null);
        }
    }

    /** A changed grace, from the component's configuration. */
    public void grace(long ms) {
        this.graceMs = ms;
    }

    public synchronized void bind(S s) {
        service = s;
        notifyAll();
    }

    /** Forgets {@code s} if it is the one bound (a greedy rebind binds the next one first). */
    public synchronized void unbind(S s) {
        if (service == s) {
            service = null;
            unboundAt = System.nanoTime();
        }
    }

    /** The service bound now, without waiting. */
    public Optional<S> now() {
        return Optional.ofNullable(service);
    }

    /**
     * The service bound now; while a swap is under way, the next one as soon
     * as it is bound (within the grace). An interrupt does not cut the wait
     * short (it is bounded); the caller gets its interrupt flag back.
     *
     * @throws ServiceUnavailableException naming what is missing
     */
    public S get() {
        S s = service;
        return s != null ? s : awaitNext();
    }

    /** Between two services: waits for the next within the grace, or fails. */
    private synchronized S awaitNext() {
        if (service == null && unboundAt != 0 && graceMs > 0) {
            long deadline = unboundAt + graceMs * 1_000_000L;
            boolean interrupted = false;
            for (long left; service == null && (left = deadline - System.nanoTime()) > 0;) {
                try {
                    wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    interrupted = true; // the wait is bounded: finish it, and keep the flag for the caller
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (service == null) {
            throw new ServiceUnavailableException(what);
        }
        return service;
    }
}
