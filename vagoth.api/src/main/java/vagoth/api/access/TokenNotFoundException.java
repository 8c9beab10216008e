package vagoth.api.access;

import vagoth.api.VagothException;

/** No token has that id. */
public class TokenNotFoundException extends VagothException {
    private static final long serialVersionUID = 1L;

    public TokenNotFoundException(String id) {
        super("no token " + id + " ('vagoth token list' shows them)");
    }
}
