package vagoth.api;

/**
 * Text from the registry, an agent or a job made safe for a terminal, a log
 * line or an event: a control character (newline, escape...) is shown as an
 * escape sequence, so a value can never forge an output line or drive the
 * terminal. Whatever an agent says passes through {@link #of} before it is
 * part of an error, a warning, a log line or an event.
 */
public final class Printable {
    private Printable() {
    }

    /**
     * {@code s} with every control character escaped ({@code \\n}, {@code \\u001b}...); "" for null. A backslash
     * is kept as it is, so text escaped once (where an agent's words enter) is not escaped again on its way out.
     */
    public static String of(String s) {
        if (s == null) {
            return "";
        }
        int i = 0;
        while (i < s.length() && plain(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 8).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (plain(c)) {
                        sb.append(c);
                    } else {
                        sb.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        return sb.toString();
    }

    private static boolean plain(char c) {
        return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) && c != '\u2028' && c != '\u2029';
    }
}
