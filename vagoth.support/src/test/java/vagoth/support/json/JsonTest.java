package vagoth.support.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void nestedValuesAreIndentedTwoSpacesInTheirOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", "vm1");
        m.put("cpus", 2);
        m.put("up", true);
        m.put("parent", null);
        m.put("tags", Map.of());
        m.put("keys", List.of("a", "b"));
        assertEquals("{\n  \"id\": \"vm1\",\n  \"cpus\": 2,\n  \"up\": true,\n  \"parent\": null,\n  \"tags\": {},\n"
                + "  \"keys\": [\n    \"a\",\n    \"b\"\n  ]\n}", Json.pretty(m));
        assertEquals("[]", Json.pretty(List.of()));
    }

    @Test
    void stringsAreEscapedSoAnyNameRoundTrips() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001e<=>&'\"", Json.pretty("a\"b\\c\nd\u0001e<=>&'"));
    }
}
