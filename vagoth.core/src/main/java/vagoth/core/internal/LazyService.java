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
    private ServiceReference<S> reference;
    private S service;

    LazyService(String what, BundleContext context) {
        this.what = what;
        this.context = context;
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
        }
        release.run();
    }

    void unbind(ServiceReference<S> ref) {
        Runnable release = () -> { };
        synchronized (this) {
            if (ref.equals(reference)) {
                release = detach();
                reference = null;
            }
        }
        release.run();
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

    synchronized boolean isPresent() {
        return service != null || reference != null;
    }

    /** Forgets the fetched service; returns how to give it back, to be run outside the lock. */
    private Runnable detach() {
        ServiceReference<S> ref = reference;
        boolean held = service != null && ref != null && context != null;
        service = null;
        return held ? () -> context.ungetService(ref) : () -> { };
    }
}
