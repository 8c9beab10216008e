package vagoth.api.provision;

import org.osgi.annotation.versioning.ProviderType;
import vagoth.api.InvalidNameException;
import vagoth.api.Node;
import vagoth.api.NodeNotFoundException;
import vagoth.api.registry.UniqueKeyViolationException;

/**
 * The gatekeeper of the cluster: every node enters through
 * {@link #provision} and leaves through {@link #deprovision}.
 */
@ProviderType
public interface Provisioner {
    /** Service property: the provisioner's name, which configuration selects it by. */
    String NAME = "vagoth.provisioner";


    /**
     * Validates and completes the request and adds the node.
     *
     * @return the node as stored
     * @throws UniqueKeyViolationException if its id, name or a key is taken
     * @throws InvalidNameException        if a field is malformed
     * @throws ProvisioningException       if the provisioner refuses it for another reason
     */
    Node provision(ProvisionRequest request);

    /**
     * Releases everything the node holds and removes it.
     *
     * @throws ProvisioningException {@code Cannot deprovision node while it's still assigned to a parent},
     *                               or because it still has children
     * @throws NodeNotFoundException if there is no such node
     */
    void deprovision(String id);

    /**
     * Node {@code id} was just renamed: what the provisioner keeps for it under
     * its name (a DNS name, an {@code fqdn} in its definition) follows, in the
     * same command.
     *
     * @return warnings for the operator (a DNS server that could not be told); empty when all went well
     */
    default java.util.List<String> renamed(String id) {
        return java.util.List.of();
    }

    /**
     * Brings what the provisioner keeps outside the registry (DHCP and DNS
     * files, say) back in line with the registry, as after a crash between
     * the two; {@code poll} calls it.
     *
     * @return what it changed, for the operator; empty when all was in line
     */
    default java.util.List<String> reconcile() {
        return java.util.List.of();
    }
}
