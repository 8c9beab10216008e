package vagoth.core.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.Selection;
import vagoth.api.Plugins;
import vagoth.api.nodetype.NodeType;
import vagoth.api.provision.Provisioner;
import vagoth.api.registry.Registry;
import vagoth.api.action.Action;
import vagoth.api.job.JobStore;
import vagoth.api.scheduler.Scheduler;
import vagoth.api.allocator.Allocator;
import vagoth.api.driver.Driver;
import vagoth.api.monitor.Monitor;
import vagoth.api.virt.Hypervisor;

/**
 * {@link Plugins} from the service registry and what Declarative Services
 * reports as bound: for each concept, the implementations present, the bundle
 * providing each, and which is active. A driver is in use when a hypervisor in
 * the selected registry names it, a node type when a node has it.
 */
@Component(configurationPid = Selection.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class PluginInventory implements Plugins {
    /**
     * Who binds a concept's active implementation: the component publishing
     * {@code service} (with {@code property=value}, when given), through its
     * reference named {@code reference}. Found by what it publishes, never by
     * another bundle's class name.
     */
    private record Consumer(String service, String property, String value, String reference) {
    }

    /** Which names of a concept used all at once are in use now (null: every one). */
    private interface Uses {
        Set<String> in(Registry registry);
    }

    /**
     * One concept: its API, the property naming an implementation, and who
     * binds the active one (null: several are used at once, those {@code uses} names).
     */
    private record Concept(String label, String api, String property, Consumer consumer, Uses uses) {
        Concept(String label, String api, String property, Consumer consumer) {
            this(label, api, property, consumer, null);
        }
    }

    /** The drivers the hypervisors name (the default one for those that name none). */
    private static Set<String> driversNamed(Registry registry) {
        Set<String> names = new HashSet<>();
        for (Node hv : registry.getNodes(NodeQuery.all().withType(Hypervisor.TYPE))) {
            names.add(hv.definition().getOrDefault(Driver.DEFINITION_KEY, DEFAULT_DRIVER));
        }
        return names;
    }

    private static Set<String> nodeTypesPresent(Registry registry) {
        Set<String> types = new HashSet<>();
        for (Node n : registry.getNodes(NodeQuery.all())) {
            types.add(n.type());
        }
        return types;
    }

    /** The driver of a hypervisor whose definition names none. */
    private static final String DEFAULT_DRIVER = "default";

    private static final Consumer MANAGER = new Consumer(Manager.class.getName(), null, null, null);

    private static final List<Concept> CONCEPTS = List.of(
            new Concept("registry", Registry.class.getName(), Registry.NAME, withReference(MANAGER, "registry")),
            new Concept("scheduler", Scheduler.class.getName(), Scheduler.NAME, withReference(MANAGER, "scheduler")),
            new Concept("provisioner", Provisioner.class.getName(), Provisioner.NAME, withReference(MANAGER, "provisioner")),
            new Concept("job store", JobStore.class.getName(), JobStore.NAME, withReference(MANAGER, "jobs")),
            new Concept("allocator", Allocator.class.getName(), Allocator.NAME,
                    new Consumer(Action.class.getName(), Action.NAME, "define", "allocator")),
            new Concept("monitor", Monitor.class.getName(), Monitor.NAME,
                    new Consumer(Action.class.getName(), Action.NAME, "poll", "monitor")),
            new Concept("driver", Driver.class.getName(), Driver.NAME, null, PluginInventory::driversNamed),
            new Concept("node type", NodeType.class.getName(), NodeType.TYPE, null, PluginInventory::nodeTypesPresent),
            new Concept("action", Action.class.getName(), Action.NAME, null));

    private static Consumer withReference(Consumer c, String reference) {
        return new Consumer(c.service(), c.property(), c.value(), reference);
    }

    private final BundleContext context;
    private final ServiceComponentRuntime scr;

    /** The selected registry: what the hypervisors and nodes are read from. */
    @Reference(name = Selection.REGISTRY, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Registry registry;

    @Activate
    public PluginInventory(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    @Override
    public List<Plugin> plugins() {
        List<Plugin> out = new ArrayList<>();
        for (Concept c : CONCEPTS) {
            List<ServiceReference<?>> refs = references(c.api());
            Set<Long> active = c.consumer() == null ? null : bound(c.consumer());
            Registry reg = registry;
            Set<String> used = c.uses() == null || reg == null ? null : c.uses().in(reg);
            if (refs.isEmpty()) {
                out.add(new Plugin(c.label(), "-", State.MISSING, "-", -1));
            }
            for (ServiceReference<?> r : refs) {
                Bundle bundle = r.getBundle();
                if (bundle == null) {
                    continue; // unregistered since it was listed (a swap under way)
                }
                Object name = r.getProperty(c.property());
                long id = (Long) r.getProperty("service.id");
                State state = active != null ? (active.contains(id) ? State.ACTIVE : State.PRESENT)
                        : used == null || name != null && used.contains(name.toString()) ? State.IN_USE : State.PRESENT;
                out.add(new Plugin(c.label(), name == null ? "?" : name.toString(), state,
                        bundle.getSymbolicName() + " " + bundle.getVersion(), id));
            }
        }
        return out;
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

    /** The service ids the consumer's reference is bound to now. */
    private Set<Long> bound(Consumer consumer) {
        Set<Long> ids = new HashSet<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!List.of(d.serviceInterfaces).contains(consumer.service()) || consumer.property() != null
                    && !consumer.value().equals(d.properties.get(consumer.property()))) {
                continue;
            }
            for (ComponentConfigurationDTO cc : scr.getComponentConfigurationDTOs(d)) {
                for (SatisfiedReferenceDTO sr : cc.satisfiedReferences) {
                    if (sr.name.equals(consumer.reference())) {
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
