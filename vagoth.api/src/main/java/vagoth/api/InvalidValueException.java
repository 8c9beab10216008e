package vagoth.api;

/**
 * A value Vagoth refuses to store because the code that relies on it could
 * not use it: a size that is not a whole number, a negative amount, an
 * unknown state. The message names the key and the reason.
 */
public class InvalidValueException extends VagothException {
    private static final long serialVersionUID = 1L;

    public InvalidValueException(String message, String node) {
        super(message, node);
    }
}
