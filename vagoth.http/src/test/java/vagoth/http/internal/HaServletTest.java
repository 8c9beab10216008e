package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import vagoth.api.Node;
import vagoth.api.access.Role;
import vagoth.http.internal.FakeHttp.Request;
import vagoth.http.internal.FakeHttp.Response;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.TestManager;

/**
 * {@code PUT /api/v1/ha/NAME}: what reaches the {@code ha} action, in which
 * transaction, and every refusal before it (the action is never asked).
 */
class HaServletTest {
    private final List<Map<String, String>> asked = new ArrayList<>();
    private HaServlet servlet;

    @BeforeEach
    void fleet() {
        MemoryRegistry registry = new MemoryRegistry();
        registry.addNode(Node.of("v1", "web1", "vm"));
        TestManager manager = new TestManager("test", registry).action("ha", (context, args) -> {
            asked.add(args);
            return Map.of("vm", "web1", "on", Boolean.parseBoolean(args.get("on")));
        });
        servlet = new HaServlet(manager);
    }

    private Response put(String name, String body, Role role) throws Exception {
        return FakeHttp.call(servlet, new Request("PUT", "/api/v1/ha", "/api/v1/ha/" + name).as(role).json(body));
    }

    @Test
    void anOperatorTurnsItOnWithAPriorityAndOff() throws Exception {
        Response on = put("web1", "{\"on\": true, \"priority\": 50}", Role.OPERATOR);
        assertEquals(200, on.status, on.text());
        assertEquals(Map.of("node", "v1", "on", "true", "priority", "50"), asked.get(0));
        Response off = put("web1", "{\"on\": false}", Role.OPERATOR);
        assertEquals(200, off.status, off.text());
        assertEquals(Map.of("node", "v1", "on", "false"), asked.get(1));
    }

    @Test
    void everyRefusalIsSaidAndAsksNothing() throws Exception {
        Map<String, Integer> refused = new java.util.LinkedHashMap<>();
        refused.put("{}", 400);
        refused.put("{\"on\": \"maybe\"}", 400);
        refused.put("{\"on\": true, \"priority\": 5000}", 400);
        refused.put("{\"on\": true, \"priority\": \"high\"}", 400);
        refused.put("{\"on\": true, \"priority\": 1.5}", 400);
        refused.put("{\"on\": false, \"priority\": 1}", 400);
        refused.put("{\"on\": true, \"why\": 1}", 400);
        refused.put("{not json", 400);
        for (Map.Entry<String, Integer> r : refused.entrySet()) {
            Response answer = put("web1", r.getKey(), Role.OPERATOR);
            assertEquals(r.getValue(), answer.status, r.getKey() + ": " + answer.text());
            assertTrue(answer.json().getAsJsonObject().has("error"), r.getKey());
        }
        assertEquals(404, put("nosuch", "{\"on\": true}", Role.OPERATOR).status);
        assertEquals(400, put("..%2Fx", "{\"on\": true}", Role.OPERATOR).status);
        Response viewer = put("web1", "{\"on\": true}", Role.VIEWER);
        assertEquals(403, viewer.status, viewer.text());
        assertTrue(viewer.error().endsWith("needs the operator role"), viewer.text());
        assertEquals(List.of(), asked, "no refused request reached the action");
    }
}
