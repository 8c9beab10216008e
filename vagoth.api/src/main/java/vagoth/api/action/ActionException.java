package vagoth.api.action;

import vagoth.api.VagothException;

/** An action failed; the message says why. */
public class ActionException extends VagothException {
    private static final long serialVersionUID = 1L;

    public ActionException(String message, String node) {
        super(message, node);
    }

    public ActionException(String message, String node, Throwable cause) {
        super(message, node, cause);
    }
}
