package vagoth.api.registry;

import vagoth.api.VagothException;

/**
 * The registry could not read or write its storage. The change asked for was
 * not applied.
 */
public class RegistryException extends VagothException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, null, cause);
    }
}
