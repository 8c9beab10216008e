package vagoth.api.provision;

import vagoth.api.VagothException;

/** The provisioner refused to add or remove a node. */
public class ProvisioningException extends VagothException {
    private static final long serialVersionUID = 1L;

    public ProvisioningException(String message, String node) {
        super(message, node);
    }

    public ProvisioningException(String message, String node, Throwable cause) {
        super(message, node, cause);
    }
}
