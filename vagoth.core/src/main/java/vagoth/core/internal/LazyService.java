package vagoth.core.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import vagoth.api.ServiceUnavailableException;

/**
 * The currently bound service of a dynamic reference, fetched on first use
 * rather than when bound. The manager's plugins (provisioner, scheduler)
 * reference the manager themselves; getting them lazily keeps that cycle out
 * of activation. Released when it is unbound.
 */
final class LazyService<S> {
    private final String what;
    private final BundleContext context;
    private final long graceMs;
    private ServiceReference<S> reference;
    private S service;
    /** When the last service went away (System.nanoTime), or 0. */
    private long unboundAt;

    LazyService(String what, BundleContext context) {
        this(what, context, 0);
    }

    /**
     * @param graceMs when a service has just gone (a swap: one implementation
     *                replacing another), how long a caller waits for the next
     *                before being told none is active
     */
    LazyService(String what, BundleContext context, long graceMs) {
        this.what = what;
        this.context = context;
        this.graceMs = graceMs;
    }

    /** A fixed service, for tests and embedding without a framework. */
    static <S> LazyService<S> of(String what, S service) {
        LazyService<S> l = new LazyService<>(what, null);
        l.service = service;
        return l;
    }

    void bind(ServiceReference<S> ref) {
        Runnable release;
        synchronized (this) {
            release = detach();
            reference = ref;
            notifyAll();
        }
        release.run();
    }

    void unbind(ServiceReference<S> ref) {
        Runnable release = () -> { };
        synchronized (this) {
            if (ref.equals(reference)) {
                release = detach();
                reference = null;
                unboundAt = System.nanoTime();
            }
        }
        release.run();
    }

    /** Holding this lock: while a swap is under way (just unbound, within the grace), waits for the next binding. */
    private void awaitSwap() {
        if (reference != null || service != null || unboundAt == 0 || graceMs <= 0) {
            return;
        }
        long deadline = unboundAt + graceMs * 1_000_000L;
        try {
            for (long left; reference == null && service == null && (left = deadline - System.nanoTime()) > 0;) {
                wait(Math.max(1, left / 1_000_000L));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void set(S s) {
        detach().run();
        reference = null;
        service = s;
    }

    /**
     * The service, fetched on first use. The framework is never called while
     * this object's lock is held: getting a service may wait for SCR, and SCR
     * calls {@link #bind}/{@link #unbind} while it holds its own locks.
     *
     * @throws ServiceUnavailableException naming what is missing
     */
    S get() {
        while (true) {
            ServiceReference<S> ref;
            synchronized (this) {
                awaitSwap();
                if (service != null) {
                    return service;
                }
                ref = reference;
            }
            if (ref == null) {
                throw new ServiceUnavailableException(what);
            }
            S got = context.getService(ref);
            synchronized (this) {
                if (ref.equals(reference) && service == null && got != null) {
                    service = got;
                    return got;
                }
            }
            if (got != null) {
                context.ungetService(ref); // rebound meanwhile, or another thread got it first
            } else {
                synchronized (this) {
                    if (ref.equals(reference)) {
                        throw new ServiceUnavailableException(what);
                    }
                }
            }
        }
    }

    /** Forgets the fetched service; returns how to give it back, to be run outside the lock. */
    private Runnable detach() {
        ServiceReference<S> ref = reference;
        boolean held = service != null && ref != null && context != null;
        service = null;
        return held ? () -> context.ungetService(ref) : () -> { };
    }
}
