package vagoth.api;

/**
 * A service the work needs is not active right now, for example while an
 * operator swaps the registry. The message names what is missing.
 */
public class ServiceUnavailableException extends VagothException {
    private static final long serialVersionUID = 1L;

    public ServiceUnavailableException(String what) {
        super("No " + what + " is active; install or configure one (see 'vagoth plugins')");
    }
}
