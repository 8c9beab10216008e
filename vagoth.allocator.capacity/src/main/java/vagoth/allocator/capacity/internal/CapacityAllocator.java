package vagoth.allocator.capacity.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
import vagoth.api.allocator.Placement;
import vagoth.api.allocator.Room;
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
        Map<String, String> reasons = new LinkedHashMap<>();
        HvCapacity best = choose(model(hint), vm, demand, hint, Set.of(), reasons, null);
        if (best == null) {
            if (hint != null && reasons.isEmpty()) {
                reasons.put(hint, "is not a hypervisor in the registry");
            }
            throw new AllocationException(vm.id(), reasons);
        }
        best.add(vm, demand, exclusionTags);
        return best.node;
    }

    /**
     * The hypervisor that takes {@code vm} best, or null; why each other was
     * refused goes in {@code refused}, and (when {@code fitting} is given)
     * those that would take it too, with their fullness.
     */
    private HvCapacity choose(List<HvCapacity> hvs, Node vm, Demand demand, String hint, Set<String> avoid,
            Map<String, String> refused, Map<String, Double> fitting) {
        HvCapacity best = null;
        double bestScore = 0;
        for (HvCapacity hv : hvs) {
            if (hint != null && !hint.equals(hv.node.id())) {
                continue;
            }
            String why = avoid.contains(hv.node.id()) ? "is being emptied" : refusal(hv, vm, demand);
            if (why != null) {
                refused.put(hv.node.id(), why);
                continue;
            }
            double score = fullness(hv, demand);
            if (fitting != null) {
                fitting.put(hv.node.id(), score);
            }
            if (best == null || (pack ? score > bestScore : score < bestScore)) {
                best = hv;
                bestScore = score;
            }
        }
        return best;
    }

    @Override
    public synchronized List<Placement> plan(List<Node> vms, String hint, Set<String> avoid) {
        List<HvCapacity> hvs = new ArrayList<>();
        for (HvCapacity hv : model(hint)) {
            hvs.add(hv.copy());
        }
        List<Node> order = new ArrayList<>(vms);
        order.sort(Comparator.comparingLong((Node v) -> demandOrNothing(v).ram()).reversed()); // largest first
        List<Placement> out = new ArrayList<>(order.size());
        for (Node vm : order) {
            Map<String, String> others = new LinkedHashMap<>();
            Demand demand;
            try {
                demand = Demand.of(vm);
            } catch (AllocationException e) {
                out.add(new Placement(vm.id(), null, e.reasons()));
                continue;
            }
            Map<String, Double> fitting = new LinkedHashMap<>();
            HvCapacity best = choose(hvs, vm, demand, hint, avoid, others, fitting);
            if (best == null && hint != null && others.isEmpty()) {
                others.put(hint, "is not a hypervisor in the registry");
            }
            fitting.forEach((id, score) -> {
                if (best == null || !id.equals(best.node.id())) {
                    others.put(id, String.format(java.util.Locale.ROOT, "would take it too (%.0f%% full after; %s)",
                            100 * score, pack ? "fuller is chosen" : "emptier is chosen"));
                }
            });
            if (best != null) {
                best.add(vm, demand, exclusionTags);
            }
            out.add(new Placement(vm.id(), best == null ? null : best.node.id(), others));
        }
        return out;
    }

    @Override
    public synchronized List<Room> room(Node shape) {
        Demand d = Demand.of(shape);
        List<Room> out = new ArrayList<>();
        for (HvCapacity hv : model()) {
            String why = refusal(hv, shape, d);
            if (why != null) {
                out.add(new Room(hv.node.id(), 0, why));
                continue;
            }
            long more = Long.MAX_VALUE;
            String limit = "nothing it asks for is limited";
            if (d.ram() > 0) {
                more = (hv.ramLimit(ramRatio) - hv.ramUsed) / d.ram();
                limit = "RAM";
            }
            if (d.cpus() > 0 && (hv.cpuLimit(cpuRatio) - hv.cpusUsed) / d.cpus() < more) {
                more = (hv.cpuLimit(cpuRatio) - hv.cpusUsed) / d.cpus();
                limit = "CPUs";
            }
            if (hv.maxVms >= 0 && hv.maxVms - hv.vms < more) {
                more = hv.maxVms - hv.vms;
                limit = "its maximum of " + hv.maxVms + " VMs";
            }
            for (String key : exclusionTags) {
                String value = shape.tags().get(key);
                if (value != null && more > 1) {
                    more = 1;
                    limit = "one VM tagged " + key + "=" + value + " per hypervisor";
                }
            }
            out.add(new Room(hv.node.id(), more == Long.MAX_VALUE ? -1 : more, limit));
        }
        return out;
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

    /** The model, read again when it lacks the {@code hint}: a host added since it was read is placed on at once. */
    private List<HvCapacity> model(String hint) {
        List<HvCapacity> m = model();
        if (hint != null && m.stream().noneMatch(hv -> hv.node.id().equals(hint))) {
            model = read(registry);
            modelTime = System.currentTimeMillis();
        }
        return model;
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
