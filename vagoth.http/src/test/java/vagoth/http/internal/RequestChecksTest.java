package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** What a client cannot slip past the filter: a token in the URL however written; labels it makes up. */
class RequestChecksTest {
    @Test
    void aTokenInTheUrlIsCaughtWhateverItsCaseOrEncoding() {
        for (String q : new String[] {"token=x", "Token=x", "TOKEN=x", "t%6Fken=x", "a=1&access_token=x", "a=1;token=x",
            "%74oken=x", "bearer=x", "%zz=1"}) {
            assertTrue(AuthFilter.tokenInUrl(q), q);
        }
        for (String q : new String[] {null, "", "name=web*", "after=abc-12", "tokens=3", "mytoken=x"}) {
            assertFalse(AuthFilter.tokenInUrl(q), String.valueOf(q));
        }
    }

    @Test
    void madeUpMethodsAreCountedAsOther() {
        Metrics m = new Metrics();
        for (int i = 0; i < 300; i++) {
            m.request("/api/v1/nodes", Metrics.method("X" + i + "Y".repeat(i)), 401, 1000);
        }
        m.request("/api/v1/nodes", Metrics.method("GET"), 200, 1000);
        Set<String> methods = new HashSet<>();
        m.requests.keySet().forEach(k -> methods.add(k.replaceAll(".*method=\"([^\"]*)\".*", "$1")));
        assertEquals(Set.of("other", "GET"), methods);
    }
}
