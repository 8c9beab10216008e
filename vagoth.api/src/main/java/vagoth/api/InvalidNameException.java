package vagoth.api;

/**
 * An id, name, type, key or tag that Vagoth refuses to store, because it is
 * empty, too long, or holds characters that are unsafe where it is used
 * (node names reach shell tools and file names).
 */
public class InvalidNameException extends VagothException {
    private static final long serialVersionUID = 1L;

    public InvalidNameException(String message, String node) {
        super(message, node);
    }
}
