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
}
