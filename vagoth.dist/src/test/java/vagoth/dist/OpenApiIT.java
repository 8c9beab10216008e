package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document the daemon serves is valid, and true: every route it
 * lists is called with the document's own examples, answers with a status
 * the document gives for it, with a body its schema describes; without a
 * token it is a 401, and with a role below the one it names a 403.
 */
@Timeout(300)
class OpenApiIT {
    /** Statuses other than success a route may answer the examples with, and why. */
    private static final Map<String, Set<Integer>> MAY_REFUSE = Map.of(
            // a job that has begun is not cancelled; the job the test cancels may have begun already
            "cancelJob", Set.of(409));

    @TempDir
    Path home;

    @AfterEach
    void stop() throws Exception {
        VagothProcess.endProcessesOf(home);
    }

    @Test
    void theDocumentValidatesAndEveryRouteItListsAnswersAsItSays() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        String viewer = api.token("viewer");
        String admin = api.token("admin");
        String doomed = api.token("operator");
        String hyper1 = VagothProcess.run(home, List.of(), "info", "--json", "hyper1").out();
        String agent = JsonParser.parseString(hyper1).getAsJsonObject().getAsJsonObject("definition")
                .get("agent").getAsString();
        for (String hv : List.of("hyper2", "hyper3")) { // simulated hosts of their own, sharing storage for migrate
            assertEquals(0, VagothProcess.run(home, List.of(), "new", hv, "--type", "hv", "driver=geats",
                    "shared_storage=san1", "agent=" + agent.replace("/hyper1", "/" + hv)).status());
        }
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "vm1", "template=debian").status());
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "vm2", "template=debian").status());
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "vm3", "template=debian").status());
        assertEquals(0, VagothProcess.run(home, List.of(), "start", "vm3").status());
        // a host that does not answer, to fence
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "hyper4", "--type", "hv", "driver=geats",
                "agent=false").status());
        VagothProcess.run(home, List.of(), "poll"); // the new hosts' capacity; hyper4 unreachable

        HttpResponse<String> served = api.call("GET", "/api/v1/openapi.json", viewer);
        assertEquals(200, served.statusCode(), served.body());
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(served.body(), null, options);
        assertEquals(List.of(), parsed.getMessages(), "the document validates");
        OpenAPI doc = parsed.getOpenAPI();
        assertNotNull(doc);
        assertEquals("/api/v1", doc.getServers().get(0).getUrl());

        // deletions last, so what they remove is there for the rest
        List<Call> calls = new ArrayList<>();
        List<Call> deletions = new ArrayList<>();
        for (Map.Entry<String, PathItem> p : doc.getPaths().entrySet()) {
            String prefix = p.getValue().getServers() != null ? "" : "/api/v1";
            p.getValue().readOperationsMap().forEach((method, o) -> {
                Call c = new Call(method.name(), prefix, p.getKey(), p.getValue(), o);
                (c.method.equals("DELETE") ? deletions : calls).add(c);
            });
        }
        calls.sort(java.util.Comparator.comparing(c -> !c.method.equals("GET"))); // reads first, stably
        calls.addAll(deletions);
        assertEquals(42, calls.size(), "every route in the document is called");

        Map<String, String> values = new LinkedHashMap<>();
        values.put("/api/v1/tokens/{id}", doomed.substring(4, 12));
        HttpResponse<String> job = api.send("POST", "/api/v1/vms/vm2/define", admin, "");
        assertEquals(202, job.statusCode(), job.body());
        values.put("/api/v1/jobs/{id}", job.headers().firstValue("Location").orElseThrow()
                .substring("/api/v1/jobs/".length()));
        values.put("/api/v1/hypervisors/{name}/fence", "hyper4");
        values.put("/api/v1/hypervisors/{name}/unfence", "hyper4");
        values.put("/api/v1/vms/{name}/shutdown", "vm3"); // the one the test started: vm1 is not running then
        values.put("/api/v1/vms/{name}/plan", "vm3"); // on a host: migrating it has a plan
        values.put("/api/v1/hypervisors/{name}/evacuate", "hyper4"); // the unreachable one, holding no VM
        values.put("DELETE /api/v1/nodes/{ref}", example(doc, "/nodes", "post").get("id").getAsString());
        for (Call c : calls) {
            String path = c.path(doc, values);
            String body = c.body();
            // each from an address of its own: failures from one address are slowed down
            String none = api.statusLine(c.method, path, null, body, "127.0.0." + (2 + calls.indexOf(c)));
            assertTrue(none.startsWith("HTTP/1.1 401 "), c + " without a token: " + none);
            String role = (String) c.operation.getExtensions().get("x-vagoth-role");
            if (role.equals("operator") || role.equals("admin")) {
                HttpResponse<String> low = send(api, c.method, path, viewer, body);
                assertEquals(403, low.statusCode(), c + " as a viewer: " + low.body());
            }
            if (c.operation.getOperationId().equals("events")) {
                eventsOpen(api, path, viewer);
                continue;
            }
            HttpResponse<String> r;
            try {
                // the sign-in's example token is not a real one (without a token header it was the 401 above)
                r = send(api, c.method, path, admin, c.operation.getOperationId().equals("signIn")
                        ? "{\"token\": \"" + admin + "\"}" : body);
            } catch (java.io.IOException e) {
                throw new AssertionError(c + " (" + path + ") got no answer: " + e.getMessage(), e);
            }
            int status = r.statusCode();
            ApiResponse documented = c.operation.getResponses().get(String.valueOf(status));
            assertNotNull(documented, c + " answered " + status + ", which the document does not give: " + r.body());
            if (documented.get$ref() != null) {
                documented = doc.getComponents().getResponses()
                        .get(documented.get$ref().substring(documented.get$ref().lastIndexOf('/') + 1));
            }
            boolean refused = status >= 400;
            if (refused) {
                assertTrue(MAY_REFUSE.getOrDefault(c.operation.getOperationId(), Set.of()).contains(status),
                        c + " refused its own example: " + status + " " + r.body());
            }
            String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0];
            assertTrue(documented.getContent().containsKey(type), c + " answered " + type);
            if (type.equals("application/json")) {
                MediaType m = documented.getContent().get(type);
                conforms(doc, m.getSchema(), JsonParser.parseString(r.body()), c + " " + status);
            }
            if (documented.getHeaders() != null && documented.getHeaders().containsKey("Location")) {
                assertTrue(r.headers().firstValue("Location").isPresent(), c + " gave no Location");
            }
        }
    }

    /** The first request body example of {@code path}'s {@code method}. */
    private static JsonObject example(OpenAPI doc, String path, String method) {
        Operation o = doc.getPaths().get(path).readOperationsMap()
                .get(PathItem.HttpMethod.valueOf(method.toUpperCase(java.util.Locale.ROOT)));
        return JsonParser.parseString(json(o.getRequestBody().getContent().get("application/json").getExample()))
                .getAsJsonObject();
    }

    private static HttpResponse<String> send(ApiDaemon api, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return api.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The event stream answers as a stream and says which run of events it is. */
    private static void eventsOpen(ApiDaemon api, String path, String token) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(api.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).build();
        HttpResponse<InputStream> r = api.client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            assertEquals(200, r.statusCode());
            assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            String first = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            assertTrue(first != null && first.startsWith(": events of "), "the stream began with: " + first);
        }
    }

    /** One operation of the document, and how the test calls it. */
    private static final class Call {
        final String method;
        final String prefix;
        final String path;
        final PathItem item;
        final Operation operation;

        Call(String method, String prefix, String path, PathItem item, Operation operation) {
            this.method = method;
            this.prefix = prefix;
            this.path = path;
            this.item = item;
            this.operation = operation;
        }

        /**
         * The path with its parameters filled: the test's own values where an
         * example cannot know them (a job's or a token's id), else each
         * parameter's example; the query from each query parameter's example.
         */
        String path(OpenAPI doc, Map<String, String> values) {
            List<Parameter> params = new ArrayList<>();
            if (item.getParameters() != null) {
                params.addAll(item.getParameters());
            }
            if (operation.getParameters() != null) {
                params.addAll(operation.getParameters());
            }
            String filled = prefix + path;
            StringBuilder query = new StringBuilder();
            for (Parameter p : params) {
                Object example = p.getExample() == null ? null
                        : io.swagger.v3.core.util.Json.mapper().convertValue(p.getExample(), Object.class);
                if (p.getIn().equals("path")) {
                    String v = values.getOrDefault(method + " " + prefix + path,
                            values.get(prefix + path));
                    if (v == null) {
                        assertNotNull(example, this + ": path parameter " + p.getName() + " has no example");
                        v = String.valueOf(example);
                    }
                    filled = filled.replace("{" + p.getName() + "}", v);
                } else if (p.getIn().equals("query") && example != null) {
                    List<?> each = example instanceof List<?> l ? l : List.of(example);
                    for (Object v : each) {
                        query.append(query.length() == 0 ? "?" : "&").append(p.getName()).append('=')
                                .append(URLEncoder.encode(plain(v), StandardCharsets.UTF_8));
                    }
                }
            }
            assertTrue(!filled.contains("{"), this + ": a path parameter is not declared: " + filled);
            return filled + query;
        }

        /** The request body's example as JSON, or null when the operation takes none. */
        String body() {
            if (operation.getRequestBody() == null) {
                return null;
            }
            MediaType m = operation.getRequestBody().getContent().get("application/json");
            assertNotNull(m, this + " takes a body that is not JSON");
            assertNotNull(m.getExample(), this + ": its body has no example");
            return json(m.getExample());
        }

        @Override
        public String toString() {
            return method + " " + prefix + path;
        }
    }

    private static String plain(Object v) {
        return v instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : String.valueOf(v);
    }

    /** An example as the parser holds it (a Jackson tree), as JSON text. */
    private static String json(Object example) {
        try {
            return io.swagger.v3.core.util.Json.mapper().writeValueAsString(example);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code value} is what {@code schema} describes: types, required properties, enums, recursively. */
    @SuppressWarnings("rawtypes")
    private static void conforms(OpenAPI doc, Schema schema, JsonElement value, String where) {
        if (schema == null) {
            return;
        }
        if (schema.get$ref() != null) {
            String name = schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1);
            conforms(doc, doc.getComponents().getSchemas().get(name), value, where);
            return;
        }
        if (schema.getAllOf() != null) {
            for (Object part : schema.getAllOf()) {
                conforms(doc, (Schema) part, value, where);
            }
            return;
        }
        if (value.isJsonNull()) {
            assertTrue(Boolean.TRUE.equals(schema.getNullable()), where + ": null where the document says "
                    + schema.getType());
            return;
        }
        String type = schema.getType();
        if (type == null) {
            return;
        }
        switch (type) {
            case "object" -> {
                assertTrue(value.isJsonObject(), where + ": not an object: " + value);
                JsonObject o = value.getAsJsonObject();
                if (schema.getRequired() != null) {
                    for (Object r : schema.getRequired()) {
                        assertTrue(o.has((String) r), where + ": no \"" + r + "\" in " + o);
                    }
                }
                Map<?, ?> props = schema.getProperties();
                for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                    Object s = props == null ? null : props.get(e.getKey());
                    if (s == null && schema.getAdditionalProperties() instanceof Schema extra) {
                        s = extra;
                    }
                    conforms(doc, (Schema) s, e.getValue(), where + "." + e.getKey());
                }
            }
            case "array" -> {
                assertTrue(value.isJsonArray(), where + ": not an array: " + value);
                for (JsonElement e : value.getAsJsonArray()) {
                    conforms(doc, schema.getItems(), e, where + "[]");
                }
            }
            case "string" -> {
                assertTrue(value.isJsonPrimitive() && value.getAsJsonPrimitive().isString(),
                        where + ": not a string: " + value);
                if (schema.getEnum() != null) {
                    assertTrue(schema.getEnum().contains(value.getAsString()), where + ": " + value
                            + " is not one of " + schema.getEnum());
                }
            }
            case "integer", "number" -> assertTrue(value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber(),
                    where + ": not a number: " + value);
            case "boolean" -> assertTrue(value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean(),
                    where + ": not a boolean: " + value);
            default -> fail(where + ": the document has type " + type);
        }
    }
}
