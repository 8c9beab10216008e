package vagoth.virt.internal;

import java.util.Map;

import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.ServiceUnavailableException;
import vagoth.api.job.Action;
import vagoth.api.job.ActionContext;
import vagoth.api.job.VagothAction;
import vagoth.api.virt.Monitor;

/** {@code poll}: one pass of the monitor over every hypervisor; returns its report. */
@Component
@VagothAction("poll")
public final class PollAction implements Action {
    /** Fetched per use: the monitor references the manager, which binds this action. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ComponentServiceObjects<Monitor> monitor;

    @Override
    public Object run(ActionContext ctx, Map<String, String> args) {
        ComponentServiceObjects<Monitor> objects = monitor;
        Monitor m = objects == null ? null : objects.getService();
        if (m == null) {
            throw new ServiceUnavailableException("monitor");
        }
        try {
            return m.poll();
        } finally {
            objects.ungetService(m);
        }
    }
}
