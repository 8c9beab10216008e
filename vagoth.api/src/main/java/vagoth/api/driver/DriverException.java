package vagoth.api.driver;

import vagoth.api.VagothException;

/** A driver could not do what it was asked; the message carries the hypervisor's answer. */
public class DriverException extends VagothException {
    private static final long serialVersionUID = 1L;

    public DriverException(String message, String node) {
        super(message, node);
    }

    public DriverException(String message, String node, Throwable cause) {
        super(message, node, cause);
    }
}
