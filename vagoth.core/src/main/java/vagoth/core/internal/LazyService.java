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

    synchronized void bind(ServiceReference<S> ref) {
        release();
        reference = ref;
    }

    synchronized void unbind(ServiceReference<S> ref) {
        if (ref.equals(reference)) {
            release();
            reference = null;
        }
    }

    synchronized void set(S s) {
        release();
        reference = null;
        service = s;
    }

    /** @throws ServiceUnavailableException naming what is missing */
    synchronized S get() {
        if (service == null && reference != null) {
            service = context.getService(reference);
        }
        if (service == null) {
            throw new ServiceUnavailableException(what);
        }
        return service;
    }

    synchronized boolean isPresent() {
        return service != null || reference != null;
    }

    private void release() {
        if (service != null && reference != null && context != null) {
            context.ungetService(reference);
        }
        service = null;
    }
}
