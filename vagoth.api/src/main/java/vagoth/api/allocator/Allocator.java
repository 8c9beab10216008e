package vagoth.api.allocator;

import vagoth.api.Node;

import org.osgi.annotation.versioning.ProviderType;

/** Chooses the hypervisor an unassigned virtual machine goes to. */
@ProviderType
public interface Allocator {
    /** Service property: the allocator's name, which configuration selects it by. */
    String NAME = "vagoth.allocator";


    /**
     * @param vm   the virtual machine to place
     * @param hint a hypervisor id the operator asked for, or {@code null}
     * @return the chosen hypervisor
     * @throws AllocationException naming each hypervisor and why it was refused
     */
    Node allocate(Node vm, String hint);

    /**
     * Where {@code vms} would go if placed now, together: each placement
     * counts for the ones after it (capacity and exclusion tags across all
     * of them), larger VMs placed first. Hypervisors in {@code avoid} take
     * none; {@code hint}, when given, is the only one tried. Nothing is
     * placed or changed.
     *
     * @return one placement per VM, in the order they were placed
     * @throws vagoth.api.VagothException when this allocator cannot plan
     */
    default java.util.List<Placement> plan(java.util.List<Node> vms, String hint, java.util.Set<String> avoid) {
        throw new vagoth.api.VagothException("the allocator in use cannot plan placements (the capacity allocator"
                + " can: allocator.target in etc/vagoth.virt.cfg)");
    }

    /**
     * How many more VMs like {@code shape} (its definition's {@code ram} and
     * {@code cpus}, its tags) each hypervisor would take now. Nothing is
     * placed.
     *
     * @throws vagoth.api.VagothException when this allocator cannot tell
     */
    default java.util.List<Room> room(Node shape) {
        throw new vagoth.api.VagothException("the allocator in use cannot tell what fits (the capacity allocator"
                + " can: allocator.target in etc/vagoth.virt.cfg)");
    }
}
