package vagoth.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;

/**
 * {@code vagoth plugins}: for each concept, the implementations present, the
 * bundle providing each, and which is active. "Active" is what the consumer
 * is bound to now, as Declarative Services reports it: the manager's
 * registry, scheduler, provisioner and job store; the allocator of the
 * {@code define} action; the monitor of {@code poll}. Drivers, actions and
 * node types are all in use at once.
 */
final class PluginsReport {
    /** One concept: its API, the property naming an implementation, and who binds the active one. */
    private record Concept(String label, String api, String property, String consumer, String reference) {
    }

    private static final List<Concept> CONCEPTS = List.of(
            new Concept("registry", "vagoth.api.Registry", "vagoth.registry", "vagoth.core.internal.VagothManager", "registry"),
            new Concept("scheduler", "vagoth.api.job.Scheduler", "vagoth.scheduler", "vagoth.core.internal.VagothManager", "scheduler"),
            new Concept("provisioner", "vagoth.api.Provisioner", "vagoth.provisioner", "vagoth.core.internal.VagothManager", "provisioner"),
            new Concept("job store", "vagoth.api.job.JobStore", "vagoth.jobs", "vagoth.core.internal.VagothManager", "jobs"),
            new Concept("allocator", "vagoth.api.virt.Allocator", "vagoth.allocator",
                    "vagoth.virt.internal.PlacementActions$Define", "allocator"),
            new Concept("monitor", "vagoth.api.virt.Monitor", "vagoth.monitor", "vagoth.virt.internal.PollAction", "monitor"),
            new Concept("driver", "vagoth.api.virt.Driver", "vagoth.driver", null, null),
            new Concept("node type", "vagoth.api.NodeType", "vagoth.node.type", null, null),
            new Concept("action", "vagoth.api.job.Action", "vagoth.action", null, null));

    private final BundleContext context;
    private final ServiceComponentRuntime scr;

    PluginsReport(BundleContext context, ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    String render() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-12s %-12s %-10s %-34s %s", "CONCEPT", "NAME", "STATE", "BUNDLE", "SERVICE"));
        for (Concept c : CONCEPTS) {
            List<ServiceReference<?>> refs = references(c.api());
            Set<Long> active = c.consumer() == null ? null : bound(c.consumer(), c.reference());
            if (refs.isEmpty()) {
                lines.add(String.format("%-12s %-12s %-10s %-34s %s", c.label(), "-", "missing", "-", "-"));
            }
            for (ServiceReference<?> r : refs) {
                Object name = r.getProperty(c.property());
                long id = (Long) r.getProperty("service.id");
                String state = active == null ? "in use" : active.contains(id) ? "active" : "present";
                lines.add(String.format("%-12s %-12s %-10s %-34s %d", c.label(), name == null ? "?" : name, state,
                        r.getBundle().getSymbolicName() + " " + r.getBundle().getVersion(), id));
            }
        }
        return String.join("\n", lines);
    }

    private List<ServiceReference<?>> references(String api) {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(api, null);
            List<ServiceReference<?>> list = refs == null ? new ArrayList<>() : new ArrayList<>(List.of(refs));
            list.sort(Comparator.comparing(r -> String.valueOf(r.getProperty("service.id"))));
            return list;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The service ids a component's reference is bound to now. */
    private Set<Long> bound(String component, String reference) {
        Set<Long> ids = new HashSet<>();
        if (scr == null) {
            return ids;
        }
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!d.name.equals(component)) {
                continue;
            }
            for (ComponentConfigurationDTO cc : scr.getComponentConfigurationDTOs(d)) {
                for (SatisfiedReferenceDTO sr : cc.satisfiedReferences) {
                    if (sr.name.equals(reference)) {
                        for (var s : sr.boundServices) {
                            ids.add(s.id);
                        }
                    }
                }
            }
        }
        return ids;
    }
}
