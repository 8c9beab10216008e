package vagoth.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Globs match as a shell's do, and no glob costs more than a few passes over a name. */
class GlobTest {
    @Test
    void globsMatchAsTheyShould() {
        assertTrue(NodeQuery.globMatches("dev*", "devnode1"));
        assertTrue(NodeQuery.globMatches("*node?", "devnode1"));
        assertTrue(NodeQuery.globMatches("*", ""));
        assertTrue(NodeQuery.globMatches("a*b*c", "aXbYbZc"));
        assertTrue(NodeQuery.globMatches("a*a", "aa"));
        assertFalse(NodeQuery.globMatches("a*a", "a"));
        assertFalse(NodeQuery.globMatches("dev?", "dev"));
        assertFalse(NodeQuery.globMatches("web", "web1"));
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) { // the same answers as a regular expression, on every shape
            String glob = random(r, "ab*?", 1 + r.nextInt(6));
            String text = random(r, "ab", r.nextInt(8));
            assertEquals(regex(glob, text), NodeQuery.globMatches(glob, text), glob + " ~ " + text);
        }
    }

    /** A glob of many stars against a long name that does not match: a backtracking matcher takes minutes. */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a regular expression ignores interrupts
    void manyStarsCostNothing() {
        String name = "a".repeat(255);
        for (int i = 0; i < 100_000; i++) {
            assertFalse(NodeQuery.globMatches("*a*a*a*a*a*a*a*a*a*a*a*a*z", name));
        }
        assertFalse(NodeQuery.globMatches("*".repeat(4000) + "z", name));
    }

    private static String random(Random r, String alphabet, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static boolean regex(String glob, String text) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.matches(re.toString(), text);
    }
}
