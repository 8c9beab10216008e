package vagoth.api.driver;

import vagoth.api.Node;

import org.osgi.annotation.versioning.ConsumerType;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.VmInfo;

/**
 * Controls the virtual machines of one kind of hypervisor. Published with
 * {@link #NAME} set ({@link VagothDriver}); a hypervisor chooses its driver by
 * its definition's {@link #DEFINITION_KEY} key. Every operation throws
 * {@link DriverException} with a message an operator can act on.
 */
@ConsumerType
public interface Driver {
    /** Service property: the driver's name. */
    String NAME = "vagoth.driver";
    /** The hypervisor definition key naming its driver. */
    String DEFINITION_KEY = "driver";

    void provision(Node hypervisor, Node vm);

    void define(Node hypervisor, Node vm);

    void undefine(Node hypervisor, Node vm);

    void deprovision(Node hypervisor, Node vm);

    void start(Node hypervisor, Node vm);

    void stop(Node hypervisor, Node vm);

    void shutdown(Node hypervisor, Node vm);

    void reboot(Node hypervisor, Node vm);

    VmInfo info(Node hypervisor, Node vm);

    HypervisorStatus status(Node hypervisor);

    void migrate(Node hypervisor, Node vm, Node destination);
}
