package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the bundle ships and the routes the metrics name
 * agree: every documented path is its own metrics route, and every resource
 * and action the API serves is documented. (OpenApiIT calls each route.)
 */
class OpenApiDocumentTest {
    private static JsonObject document() throws Exception {
        try (InputStream in = OpenApiServlet.class.getResourceAsStream(OpenApiServlet.DOCUMENT)) {
            assertNotNull(in, "the bundle ships " + OpenApiServlet.DOCUMENT);
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    @Test
    void everyDocumentedPathIsItsOwnMetricsRoute() throws Exception {
        for (String path : document().getAsJsonObject("paths").keySet()) {
            String full = path.equals("/metrics") ? path : "/api/v1" + path;
            String concrete = full.replaceAll("\\{[a-z]+\\}", "x1");
            assertEquals(full.replace("{ref}", "{name}"), Api.route(concrete), path);
        }
    }

    @Test
    void everyResourceAndActionServedIsDocumented() throws Exception {
        Set<String> paths = new TreeSet<>(document().getAsJsonObject("paths").keySet());
        for (String resource : Api.RESOURCES) {
            assertTrue(paths.contains("/" + resource), "/" + resource + " is not documented: " + paths);
        }
        for (String action : Api.SUBPATHS) {
            assertTrue(paths.stream().anyMatch(p -> p.endsWith("}/" + action)), action + " is not documented");
        }
    }
}
