package vagoth.api.virt;

import java.util.List;

import vagoth.api.ManagedNode;
import vagoth.api.Node;

import org.osgi.annotation.versioning.ProviderType;
import vagoth.api.driver.Driver;

/** A node of type {@code hv}: runs virtual machines through its driver. */
@ProviderType
public interface Hypervisor extends ManagedNode {
    String TYPE = "hv";
    /**
     * Definition key naming the storage a hypervisor's VM disks live on when it
     * is shared with other hypervisors ({@code shared_storage=ceph1}). A VM is
     * migrated only between hypervisors that name the same shared storage:
     * elsewhere its disk would be left behind.
     */
    String SHARED_STORAGE = "shared_storage";

    /**
     * The storage hypervisors {@code a} and {@code b} both name ({@link #SHARED_STORAGE}), or null when they share
     * none: moving a VM between them then copies its disk.
     */
    static String sharedStorage(Node a, Node b) {
        String storage = a.definition().getOrDefault(SHARED_STORAGE, "");
        return !storage.isBlank() && storage.equals(b.definition().get(SHARED_STORAGE)) ? storage : null;
    }

    /** The driver its definition names. */
    Driver driver();

    /** The VMs assigned to it. */
    List<Node> children();

    /** What it offers and what the VMs assigned to it ask for, now. */
    default Capacity capacity() {
        return Capacity.of(node(), children());
    }

    /** Whether an operator has taken it out of placement ({@link VmStates#MAINTENANCE_FLAG}). */
    default boolean inMaintenance() {
        return Boolean.parseBoolean(node().metadata().get(VmStates.MAINTENANCE_FLAG));
    }

    /**
     * Takes it out of placement (new VMs are not placed on it; those on it
     * keep running) or puts it back.
     *
     * @return the hypervisor as stored now
     */
    Node maintenance(boolean on);

    /** What emptying it would do ({@code evacuate}): its VMs placed elsewhere, together; nothing changes. */
    Evacuation planEvacuation();

    /** Whether an operator has fenced it ({@link VmStates#FENCED}): powered off, its VMs released. */
    default boolean fenced() {
        return Boolean.parseBoolean(node().metadata().get(VmStates.FENCED));
    }
}
