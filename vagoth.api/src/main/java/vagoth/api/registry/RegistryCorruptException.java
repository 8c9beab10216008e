package vagoth.api.registry;

/**
 * The registry's storage is damaged: the message names the file and what is
 * wrong with it. The registry refuses to open rather than reset itself.
 */
public class RegistryCorruptException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryCorruptException(String message) {
        super(message);
    }

    public RegistryCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
