package vagoth.virt.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.ServiceUnavailableException;
import vagoth.api.VagothException;
import vagoth.api.job.Action;
import vagoth.api.job.ActionContext;
import vagoth.api.job.VagothAction;
import vagoth.api.virt.Monitor;
import vagoth.api.virt.PollReport;

/**
 * {@code poll}: one pass of the monitor over every hypervisor, then the
 * provisioner brings what it keeps outside the registry (DHCP and DNS files)
 * in line with it; returns the report of both.
 */
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
        PollReport report;
        try {
            report = m.poll();
        } finally {
            objects.ungetService(m);
        }
        List<String> repaired;
        try {
            repaired = ctx.manager().provisioner().reconcile();
        } catch (VagothException e) {
            return withWarning(report, "the provisioner could not check its files: " + e.getMessage());
        }
        if (repaired.isEmpty()) {
            return report;
        }
        List<String> changes = new ArrayList<>(report.changes());
        changes.addAll(repaired);
        return new PollReport(report.polled(), report.unreachable(), changes, report.warnings());
    }

    private static PollReport withWarning(PollReport r, String warning) {
        List<String> warnings = new ArrayList<>(r.warnings());
        warnings.add(warning);
        return new PollReport(r.polled(), r.unreachable(), r.changes(), warnings);
    }
}
