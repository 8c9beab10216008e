package vagoth.api.virt;

import java.util.List;

import vagoth.api.ManagedNode;
import vagoth.api.Node;

import org.osgi.annotation.versioning.ProviderType;

/** A node of type {@code hv}: runs virtual machines through its driver. */
@ProviderType
public interface Hypervisor extends ManagedNode {
    String TYPE = "hv";

    /** The driver its definition names. */
    Driver driver();

    /** The VMs assigned to it. */
    List<Node> children();
}
