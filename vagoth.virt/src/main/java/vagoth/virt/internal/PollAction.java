package vagoth.virt.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Selection;
import vagoth.api.provision.Provisioner;
import vagoth.support.bind.Current;
import vagoth.api.VagothException;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.VagothAction;
import vagoth.api.monitor.Monitor;
import vagoth.api.virt.PollReport;

/**
 * {@code poll}: one pass of the monitor over every hypervisor (or, with the
 * {@code node} argument, over that one only: a hypervisor just added), then
 * the provisioner brings what it keeps outside the registry (DHCP and DNS
 * files) in line with it; returns the report of both.
 */
@Component(configurationPid = Selection.PID)
@VagothAction("poll")
public final class PollAction implements Action {
    private final Current<Monitor> monitor = new Current<>("monitor", 0);
    private final Current<Provisioner> provisioner = new Current<>("provisioner", Selection.DEFAULT_SWAP_GRACE_MS);

    @Activate
    @Modified
    void configure(Map<String, Object> props) {
        provisioner.grace(Current.grace(props));
    }

    @Reference(name = "monitor", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMonitor(Monitor m) {
        monitor.bind(m);
    }

    void unbindMonitor(Monitor m) {
        monitor.unbind(m);
    }

    @Reference(name = Selection.PROVISIONER, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindProvisioner(Provisioner p) {
        provisioner.bind(p);
    }

    void unbindProvisioner(Provisioner p) {
        provisioner.unbind(p);
    }

    @Override
    public Object run(ActionContext ctx, Map<String, String> args) {
        String only = args.get(NODE_ARG);
        PollReport report = only == null ? monitor.get().poll() : monitor.get().poll(Set.of(only));
        List<String> repaired;
        try {
            repaired = provisioner.get().reconcile();
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
