package vagoth.allocator.capacity.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.Registry;
import vagoth.api.allocator.AllocationException;
import vagoth.api.allocator.Allocator;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.allocator.VagothAllocator;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import vagoth.api.Selection;
import vagoth.support.bind.Current;
import vagoth.support.bind.FollowingRegistry;

/**
 * Places a VM where its {@code ram} and {@code cpus} fit, with overcommit
 * ratios, on the fullest ({@code pack}) or emptiest ({@code spread}) fitting
 * hypervisor. VMs sharing a value of an exclusion tag never share a
 * hypervisor; hypervisors in maintenance or unreachable get nothing; one whose
 * capacity is unknown takes only VMs that ask for nothing. When nothing fits,
 * the exception says why for each hypervisor.
 *
 * <p>The picture of the cluster is read from the registry at most every
 * {@code cache.ms} and updated with each placement made here, so placing
 * thousands of VMs does not re-read thousands of nodes each time.
 */
@Component(configurationPid = {Selection.PID, CapacityAllocator.PID}, property = "service.ranking:Integer=10")
@VagothAllocator("capacity")
public final class CapacityAllocator implements Allocator {
    static final String PID = "vagoth.allocator.capacity";

    private final FollowingRegistry registry;
    private final boolean pack;
    private final double ramRatio;
    private final double cpuRatio;
    private final Set<String> exclusionTags;
    private final long cacheMs;
    private List<HvCapacity> model;
    private long modelTime;

    @Activate
    public CapacityAllocator(CapacityConfig config, Map<String, Object> props) {
        this((Registry) null, config.strategy(), config.ram_overcommit(), config.cpu_overcommit(),
                Set.copyOf(Arrays.asList(config.exclusion_tags())), config.cache_ms());
        registry.grace(Current.grace(props));
    }

    public CapacityAllocator(Registry registry, String strategy, double ramRatio, double cpuRatio,
            Set<String> exclusionTags, long cacheMs) {
        if (!strategy.equals("pack") && !strategy.equals("spread")) {
            throw new IllegalArgumentException("strategy must be pack or spread, not " + strategy);
        }
        this.registry = FollowingRegistry.of(registry);
        this.pack = strategy.equals("pack");
        this.ramRatio = ramRatio;
        this.cpuRatio = cpuRatio;
        this.exclusionTags = exclusionTags;
        this.cacheMs = cacheMs;
    }

    @Reference(name = Selection.REGISTRY, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRegistry(Registry r) {
        registry.bind(r);
    }

    void unbindRegistry(Registry r) {
        registry.unbind(r);
    }

    @Override
    public synchronized Node allocate(Node vm, String hint) {
        Demand demand = Demand.of(vm);
        List<HvCapacity> hvs = model();
        Map<String, String> reasons = new LinkedHashMap<>();
        HvCapacity best = null;
        double bestScore = 0;
        for (HvCapacity hv : hvs) {
            if (hint != null && !hint.equals(hv.node.id())) {
                continue;
            }
            String why = refusal(hv, vm, demand);
            if (why != null) {
                reasons.put(hv.node.id(), why);
                continue;
            }
            double score = fullness(hv, demand);
            if (best == null || (pack ? score > bestScore : score < bestScore)) {
                best = hv;
                bestScore = score;
            }
        }
        if (best == null) {
            if (hint != null && reasons.isEmpty()) {
                reasons.put(hint, "is not a hypervisor in the registry");
            }
            throw new AllocationException(vm.id(), reasons);
        }
        best.add(vm, demand, exclusionTags);
        return best.node;
    }

    private String refusal(HvCapacity hv, Node vm, Demand d) {
        if (hv.inMaintenance()) {
            return "is in maintenance";
        }
        if (hv.fenced()) {
            return "is fenced (unfence it to use it again)";
        }
        if (hv.unreachable()) {
            return "is unreachable";
        }
        if (hv.maxVms >= 0 && hv.vms >= hv.maxVms) {
            return "already has its maximum of " + hv.maxVms + " VMs";
        }
        for (String key : exclusionTags) {
            String value = vm.tags().get(key);
            if (value != null && hv.tags.getOrDefault(key, Set.of()).contains(value)) {
                return "already has a VM tagged " + key + "=" + value;
            }
        }
        if (d.ram() > 0) {
            long limit = hv.ramLimit(ramRatio);
            if (limit < 0) {
                return "has unknown capacity (never polled, and no mem_total in its definition)";
            }
            if (hv.ramUsed + d.ram() > limit) {
                return "needs " + d.ram() + " MB RAM, has " + Math.max(0, limit - hv.ramUsed) + " MB free of " + limit;
            }
        }
        if (d.cpus() > 0) {
            long limit = hv.cpuLimit(cpuRatio);
            if (limit < 0) {
                return "has unknown capacity (never polled, and no cpus in its definition)";
            }
            if (hv.cpusUsed + d.cpus() > limit) {
                return "needs " + d.cpus() + " CPUs, has " + Math.max(0, limit - hv.cpusUsed) + " free of " + limit;
            }
        }
        return null;
    }

    /** How full the hypervisor would be, 0..1 (RAM first; VM count when its RAM is unknown). */
    private double fullness(HvCapacity hv, Demand d) {
        long limit = hv.ramLimit(ramRatio);
        if (limit > 0) {
            return (hv.ramUsed + d.ram()) / (double) limit;
        }
        return (hv.vms + 1) / 1_000_000.0;
    }

    private List<HvCapacity> model() {
        long now = System.currentTimeMillis();
        if (model == null || now - modelTime > cacheMs) {
            model = read(registry);
            modelTime = now;
        }
        return model;
    }

    private List<HvCapacity> read(Registry registry) {
        Map<String, HvCapacity> byId = new LinkedHashMap<>();
        for (Node hv : registry.getNodes(NodeQuery.all().withType(Hypervisor.TYPE))) {
            byId.put(hv.id(), new HvCapacity(hv));
        }
        for (Node vm : registry.getNodes(NodeQuery.all().withType(VirtualMachine.TYPE))) {
            HvCapacity hv = vm.parent() == null ? null : byId.get(vm.parent());
            if (hv != null) {
                hv.add(vm, demandOrNothing(vm), exclusionTags);
            }
        }
        return new ArrayList<>(byId.values());
    }

    private static Demand demandOrNothing(Node vm) {
        try {
            return Demand.of(vm);
        } catch (AllocationException e) {
            return new Demand(0, 0);
        }
    }
}
