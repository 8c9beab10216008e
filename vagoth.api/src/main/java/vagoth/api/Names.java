package vagoth.api;

import java.util.regex.Pattern;

/**
 * The rules for what may be stored as an id, name, type, key or tag. Node ids
 * and names reach shell tools and file names, so they are held to a strict
 * pattern: {@value #SAFE_NAME}.
 */
public final class Names {
    /** Ids, names and types: a letter or digit, then up to 62 of letters, digits, '.', '_' and '-'. */
    public static final String SAFE_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    private static final Pattern SAFE = Pattern.compile(SAFE_NAME);
    private static final int MAX_TOKEN = 255;

    private Names() {
    }

    public static boolean isSafe(String value) {
        return value != null && SAFE.matcher(value).matches();
    }

    /**
     * @return {@code value}
     * @throws InvalidNameException if it does not match {@link #SAFE_NAME}
     */
    public static String requireSafe(String what, String value) {
        if (!isSafe(value)) {
            throw new InvalidNameException("Invalid " + what + " '" + printable(value) + "': it must match " + SAFE_NAME, value);
        }
        return value;
    }

    /**
     * Unique keys (such as {@code ip-10.0.0.5} or {@code mac-02:00:00:00:00:01})
     * and tag and metadata keys: 1 to 255 printable characters, no white space
     * and no '='.
     */
    public static String requireToken(String what, String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_TOKEN || !isToken(value)) {
            throw new InvalidNameException("Invalid " + what + " '" + printable(value) + "': it must be 1 to " + MAX_TOKEN
                    + " printable characters without spaces or '='", null);
        }
        return value;
    }

    /** Whether {@code value} is usable as a key, tag or metadata name ({@link #requireToken} accepts it). */
    public static boolean isToken(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_TOKEN) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '=' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        value.codePoints().limit(80).forEach(c -> {
            if (c < ' ' || c == 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }
}
