package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import org.junit.jupiter.api.Test;

/** The body limit holds to the byte: a body of exactly the limit is read, one byte more is a 413. */
class BodyTest {
    /** A request whose only part used is its body. */
    private static HttpServletRequest request(byte[] body) {
        FakeHttp.Request req = new FakeHttp.Request("POST", "/api/v1/nodes", "/api/v1/nodes");
        req.body = body;
        return req.servlet();
    }

    /** {"name":"x"} padded with spaces to {@code size} bytes. */
    private static byte[] json(int size) {
        String obj = "{\"name\":\"x\"}";
        return (obj + " ".repeat(size - obj.length())).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBodyOfExactlyTheLimitIsRead() throws Exception {
        assertEquals("x", Body.fields(request(json(Body.MAX_BYTES)), Set.of("name")).get("name"));
    }

    @Test
    void oneByteOverTheLimitIsRefused() {
        Api.Refusal r = assertThrows(Api.Refusal.class, () -> Body.fields(request(json(Body.MAX_BYTES + 1)),
                Set.of("name")));
        assertEquals(413, r.status);
    }

    @Test
    void onlyStrictJsonIsRead() throws Exception {
        for (String bad : new String[] {"{\"id\":\"a\",\"id\":\"b\"}", "{id:\"x\"}", "{'id':'x'}",
            "{\"id\":\"x\"} {}", "{\"id\":\"x\",}", "// c\n{\"id\":\"x\"}", "{\"id\":NaN}"}) {
            Api.Refusal r = assertThrows(Api.Refusal.class, () -> Body.fields(request(bad.getBytes(StandardCharsets.UTF_8)),
                    Set.of("id")), bad);
            assertEquals(400, r.status, bad);
        }
        Api.Refusal twice = assertThrows(Api.Refusal.class, () -> Body.fields(request(
                "{\"id\":\"a\",\"id\":\"b\"}".getBytes(StandardCharsets.UTF_8)), Set.of("id")));
        assertTrue(twice.getMessage().contains("\"id\" appears twice"), twice.getMessage());
        assertEquals("x", Body.fields(request(" {\"id\" : \"x\"} ".getBytes(StandardCharsets.UTF_8)), Set.of("id"))
                .get("id"));
    }
    @Test
    void aFlagIsAJsonBooleanAndTheOldStringsAreStillTaken() throws Exception {
        java.util.function.Function<String, HttpServletRequest> body = text -> request(text.getBytes(StandardCharsets.UTF_8));
        assertEquals(Boolean.TRUE, Body.flag(body.apply("{\"on\": true}"), "on"));
        assertEquals(Boolean.FALSE, Body.flag(body.apply("{\"on\": false}"), "on"));
        assertEquals(Boolean.TRUE, Body.flag(body.apply("{\"on\": \"true\"}"), "on"));
        assertEquals(Boolean.FALSE, Body.flag(body.apply("{\"on\": \"false\"}"), "on"));
        assertEquals(null, Body.flag(body.apply(""), "on"));
        for (String bad : new String[] {"{\"on\": 1}", "{\"on\": \"yes\"}", "{\"on\": null}", "{\"on\": [true]}",
            "{\"on\": \"TRUE\"}", "{\"off\": true}"}) {
            Api.Refusal r = assertThrows(Api.Refusal.class, () -> Body.flag(body.apply(bad), "on"), bad);
            assertEquals(400, r.status, bad);
        }
    }
}
