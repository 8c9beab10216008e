package vagoth.allocator.hint.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import vagoth.api.Node;
import vagoth.api.allocator.AllocationException;
import vagoth.api.allocator.Allocator;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VmStates;
import vagoth.api.allocator.VagothAllocator;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import vagoth.api.Selection;
import vagoth.api.registry.Registry;
import vagoth.support.bind.Current;
import vagoth.support.bind.FollowingRegistry;

/** The original's allocator: the hypervisor the operator hinted at, else the configured one. */
@Component(configurationPid = {Selection.PID, HintAllocator.PID})
@VagothAllocator("hint")
public final class HintAllocator implements Allocator {
    static final String PID = "vagoth.allocator.hint";

    @ObjectClassDefinition(pid = "vagoth.allocator.hint", name = "Vagoth hint allocator")
    @interface Config {
        @AttributeDefinition(description = "The hypervisor used when no hint is given (empty: a hint is required)")
        String default_node() default "";
    }

    private final FollowingRegistry registry;
    private final String defaultNode;

    @Activate
    public HintAllocator(Config config, Map<String, Object> props) {
        this((Registry) null, config.default_node());
        registry.grace(Current.grace(props));
    }

    public HintAllocator(Registry registry, String defaultNode) {
        this.registry = FollowingRegistry.of(registry);
        this.defaultNode = defaultNode;
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
    public Node allocate(Node vm, String hint) {
        String target = hint != null && !hint.isBlank() ? hint : defaultNode;
        if (target == null || target.isBlank()) {
            throw new AllocationException(vm.id(), Map.of("(hint allocator)",
                    "needs a hint (define --hint HV) or default.node in etc/vagoth.allocator.hint.cfg"));
        }
        Node hv = registry.findNode(target).orElseThrow(
                () -> new AllocationException(vm.id(), Map.of(target, "does not exist")));
        if (!hv.type().equals(Hypervisor.TYPE)) {
            throw new AllocationException(vm.id(), Map.of(target, "is a " + hv.type() + ", not a hypervisor"));
        }
        if (Boolean.parseBoolean(hv.metadata().get(VmStates.MAINTENANCE_FLAG))) {
            throw new AllocationException(vm.id(), Map.of(target, "is in maintenance"));
        }
        if (Boolean.parseBoolean(hv.metadata().get(VmStates.FENCED))) {
            throw new AllocationException(vm.id(), Map.of(target, "is fenced (unfence it to use it again)"));
        }
        if (VmStates.UNREACHABLE.equals(hv.state())) {
            throw new AllocationException(vm.id(), Map.of(target, "is unreachable"));
        }
        return hv;
    }
}
