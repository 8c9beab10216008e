package vagoth.api.job;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A named unit of work ({@code start}, {@code define}, {@code poll}...).
 * Published as a service with {@link #NAME} set ({@link VagothAction}); run
 * through {@link vagoth.api.Manager#action} or a {@link Scheduler}.
 */
@ConsumerType
public interface Action {
    /** Service property: the action's name. */
    String NAME = "vagoth.action";
    /** The argument naming the node an action is about. */
    String NODE_ARG = "node";

    /**
     * @return a result for the caller, or {@code null}
     * @throws vagoth.api.VagothException (typically {@link ActionException}) when the work fails
     */
    Object run(ActionContext context, Map<String, String> args);
}
