package vagoth.api.access;

/**
 * A token just created: what is kept of it, and the bearer string a client
 * sends ({@code Authorization: Bearer <bearer>}), which is not kept and
 * cannot be shown again.
 */
public record IssuedToken(AccessToken token, String bearer) {
    @Override
    public String toString() {
        return "IssuedToken[" + token + "]"; // never the secret, wherever it is printed
    }
}
