package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import vagoth.api.Node;
import vagoth.api.access.Role;
import vagoth.http.internal.FakeHttp.Request;
import vagoth.http.internal.FakeHttp.Response;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.TestManager;
import vagoth.testing.TestProvisioner;

/** {@code /api/v1/nodes}: pages, filters, roles and refusals, on a registry in memory. */
class NodesServletTest {
    private MemoryRegistry registry;
    private NodesServlet servlet;

    @BeforeEach
    void fleet() {
        registry = new MemoryRegistry();
        registry.addNode(Node.of("h1", "hyper1", "hv"));
        for (String vm : List.of("web1", "web2", "web3", "db1")) {
            registry.addNode(Node.of(vm, vm, "vm"));
        }
        servlet = new NodesServlet(new TestManager("test", registry).provisioner(new TestProvisioner(registry)),
                new AgentAllowList(List.of(), "/opt/vagoth"));
    }

    private Response get(String uri, Role role) throws Exception {
        return FakeHttp.call(servlet, new Request("GET", "/api/v1/nodes", uri).as(role));
    }

    private static List<String> names(Response r) {
        return r.json().getAsJsonArray().asList().stream().map(e -> e.getAsJsonObject().get("name").getAsString())
                .toList();
    }

    @Test
    void aPageIsTheFirstByNameWithTheCountAndALinkToTheNext() throws Exception {
        Response first = get("/api/v1/nodes?type=vm&limit=2", Role.VIEWER);
        assertEquals(200, first.status, first.text());
        assertEquals(List.of("db1", "web1"), names(first));
        assertEquals("4", first.headers.get("X-Total-Count"));
        assertEquals("</api/v1/nodes?after=web1&limit=2&type=vm>; rel=\"next\"", first.headers.get("Link"));
        Response last = get("/api/v1/nodes?after=web1&limit=2&type=vm", Role.VIEWER);
        assertEquals(List.of("web2", "web3"), names(last));
        assertNull(last.headers.get("Link"), "no page after the last");
        assertEquals(List.of("web1", "web2", "web3"), names(get("/api/v1/nodes?name=web*", Role.VIEWER)));
    }

    @Test
    void oneNodeByNameAndWhatIsNotThere() throws Exception {
        Response one = get("/api/v1/nodes/web2", Role.VIEWER);
        assertEquals(200, one.status, one.text());
        assertEquals("web2", one.json().getAsJsonObject().get("name").getAsString());
        Response none = get("/api/v1/nodes/nosuch", Role.VIEWER);
        assertEquals(404, none.status, none.text());
        assertTrue(none.error().contains("nosuch"), none.text());
    }

    @Test
    void badFiltersAndPagesAreRefusedWithWhatIsTaken() throws Exception {
        for (String uri : List.of("/api/v1/nodes?colour=red", "/api/v1/nodes?limit=0", "/api/v1/nodes?limit=lots",
                "/api/v1/nodes?limit=1&limit=2", "/api/v1/nodes?tag=novalue")) {
            Response r = get(uri, Role.VIEWER);
            assertEquals(400, r.status, uri + ": " + r.text());
            assertFalse(r.error().isBlank(), uri);
        }
        assertTrue(get("/api/v1/nodes?colour=red", Role.VIEWER).error().startsWith("unknown filter 'colour'"));
        assertTrue(get("/api/v1/nodes?limit=0", Role.VIEWER).error().startsWith("limit takes a number from 1 to"));
    }

    @Test
    void noCallerIsA401AndAViewerMakesNothing() throws Exception {
        Response anonymous = FakeHttp.call(servlet, new Request("GET", "/api/v1/nodes", "/api/v1/nodes"));
        assertEquals(401, anonymous.status, anonymous.text());
        Response made = FakeHttp.call(servlet, new Request("POST", "/api/v1/nodes", "/api/v1/nodes").as(Role.OPERATOR)
                .json("{\"id\": \"x\"}"));
        assertEquals(403, made.status, made.text());
        assertTrue(made.error().endsWith("needs the admin role"), made.text());
        assertTrue(registry.findNodeByName("x").isEmpty(), "nothing was made");
    }

    @Test
    void anAdminMakesANodeAndABadOneChangesNothing() throws Exception {
        Response made = FakeHttp.call(servlet, new Request("POST", "/api/v1/nodes", "/api/v1/nodes").as(Role.ADMIN)
                .json("{\"id\": \"app1\", \"tags\": {\"role\": \"app\"}}"));
        assertEquals(201, made.status, made.text());
        assertEquals("/api/v1/nodes/app1", made.headers.get("Location"));
        assertEquals("app", registry.getNodeByName("app1").tags().get("role"));
        int before = registry.getNodes(vagoth.api.NodeQuery.all()).size();
        for (String body : List.of("{not json", "{\"id\": \"../x\"}", "{\"id\": \"x\", \"tags\": [1]}",
                "{\"id\": \"x\", \"tenant\": 5}", "{\"name\": \"x\"}", "{\"id\": \"app1\"}")) {
            Response r = FakeHttp.call(servlet, new Request("POST", "/api/v1/nodes", "/api/v1/nodes").as(Role.ADMIN)
                    .json(body));
            assertTrue(r.status == 400 || r.status == 409, body + ": " + r.status + " " + r.text());
        }
        assertEquals(before, registry.getNodes(vagoth.api.NodeQuery.all()).size(), "no refused node was made");
        Response unserved = FakeHttp.call(servlet, new Request("PATCH", "/api/v1/nodes", "/api/v1/nodes/app1")
                .as(Role.ADMIN));
        assertEquals(405, unserved.status, unserved.text());
    }
}
