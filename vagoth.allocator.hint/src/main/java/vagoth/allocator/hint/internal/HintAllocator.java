package vagoth.allocator.hint.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.virt.AllocationException;
import vagoth.api.virt.Allocator;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VmStates;
import vagoth.api.virt.VagothAllocator;

/** The original's allocator: the hypervisor the operator hinted at, else the configured one. */
@Component(configurationPid = HintAllocator.PID)
@VagothAllocator("hint")
@Designate(ocd = HintAllocator.Config.class)
public final class HintAllocator implements Allocator {
    static final String PID = "vagoth.allocator.hint";

    @ObjectClassDefinition(name = "Vagoth hint allocator")
    @interface Config {
        @AttributeDefinition(description = "The hypervisor used when no hint is given (empty: a hint is required)")
        String default_node() default "";
    }

    private final Manager manager;
    private final String defaultNode;

    @Activate
    public HintAllocator(@Reference Manager manager, Config config) {
        this(manager, config.default_node());
    }

    public HintAllocator(Manager manager, String defaultNode) {
        this.manager = manager;
        this.defaultNode = defaultNode;
    }

    @Override
    public Node allocate(Node vm, String hint) {
        String target = hint != null && !hint.isBlank() ? hint : defaultNode;
        if (target == null || target.isBlank()) {
            throw new AllocationException(vm.id(), Map.of("(hint allocator)",
                    "needs a hint (define --hint HV) or a default_node in vagoth.allocator.hint.cfg"));
        }
        Node hv = manager.registry().findNode(target).orElseThrow(
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
