package vagoth.support.bind;

import java.util.function.Supplier;

import org.osgi.service.component.ComponentContext;

import vagoth.api.ServiceUnavailableException;

/**
 * A service a component declares a reference to but fetches only when it
 * uses it (the DS lookup strategy). Schedulers and the monitor run actions
 * through the manager, and the manager binds the actions and node types that
 * reach them: fetching the manager at use, not at activation, keeps that ring
 * out of activation.
 */
public final class Lookup {
    private Lookup() {
    }

    /** Fetches reference {@code name} of the component at each call; fails naming {@code what} when it is gone. */
    public static <S> Supplier<S> of(ComponentContext context, String name, Class<S> type, String what) {
        return () -> {
            Object s = context.locateService(name);
            if (s == null) {
                throw new ServiceUnavailableException(what);
            }
            return type.cast(s);
        };
    }
}
