package vagoth.http.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import vagoth.api.access.AccessToken;
import vagoth.api.access.Role;

/**
 * A request and a response for calling a servlet or filter in a unit test:
 * what a container would hand it for {@code METHOD /api/v1/...}, with the
 * caller the filter would have set, and the status, headers and body it
 * answered. Only what Vagoth's servlets ask of a request is answered;
 * anything else fails the test, so a servlet that starts to depend on more
 * is noticed.
 */
final class FakeHttp {
    private FakeHttp() {
    }

    /** A token of {@code role}, as the filter sets it for a request it let through. */
    static AccessToken caller(Role role) {
        return new AccessToken("0123abcd", role.label() + "-unit", role, Instant.EPOCH, null);
    }

    /** A request to {@code uri} (path and query) served by the servlet at {@code servletPath}. */
    static final class Request {
        final String method;
        final String path;
        final String query;
        final String servletPath;
        final Map<String, Object> attributes = new HashMap<>();
        final Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = new byte[0];
        String remoteAddress = "192.0.2.7";

        Request(String method, String servletPath, String uri) {
            this.method = method;
            this.servletPath = servletPath;
            int q = uri.indexOf('?');
            this.path = q < 0 ? uri : uri.substring(0, q);
            this.query = q < 0 ? null : uri.substring(q + 1);
        }

        Request as(Role role) {
            attributes.put(Api.TOKEN, caller(role));
            return this;
        }

        Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Request json(String text) {
            body = text.getBytes(StandardCharsets.UTF_8);
            headers.put("Content-Type", "application/json");
            return this;
        }

        private Map<String, String[]> parameters() {
            Map<String, List<String>> seen = new LinkedHashMap<>();
            if (query != null && !query.isEmpty()) {
                for (String pair : query.split("&")) {
                    int eq = pair.indexOf('=');
                    String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    seen.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                }
            }
            Map<String, String[]> out = new LinkedHashMap<>();
            seen.forEach((k, v) -> out.put(k, v.toArray(String[]::new)));
            return out;
        }

        private String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }

        HttpServletRequest servlet() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            ServletInputStream stream = new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener l) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
            return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                        case "getMethod" -> method;
                        case "getRequestURI" -> path;
                        case "getServletPath" -> servletPath;
                        case "getPathInfo" -> path.length() > servletPath.length() ? path.substring(servletPath.length())
                                : null;
                        case "getQueryString" -> query;
                        case "getParameterMap" -> parameters();
                        case "getParameter" -> {
                            String[] v = parameters().get((String) a[0]);
                            yield v == null ? null : v[0];
                        }
                        case "getHeader" -> header((String) a[0]);
                        case "getHeaders" -> Collections.enumeration(header((String) a[0]) == null ? List.of()
                                : List.of(header((String) a[0])));
                        case "getContentType" -> header("Content-Type");
                        case "getContentLengthLong" -> (long) body.length;
                        case "getContentLength" -> body.length;
                        case "getInputStream" -> stream;
                        case "getAttribute" -> attributes.get((String) a[0]);
                        case "setAttribute" -> attributes.put((String) a[0], a[1]);
                        case "getRemoteAddr" -> remoteAddress;
                        case "isSecure" -> true;
                        case "getScheme" -> "https";
                        case "getCookies" -> null;
                        case "toString" -> method + " " + path;
                        case "hashCode" -> System.identityHashCode(p);
                        case "equals" -> p == a[0];
                        default -> throw new UnsupportedOperationException("the fake request has no " + m.getName());
                    });
        }
    }

    /** What a servlet answered. */
    static final class Response {
        int status = 200;
        final Map<String, String> headers = new LinkedHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }

        JsonElement json() {
            return JsonParser.parseString(text());
        }

        /** The error the answer says (a JSON error body's {@code error}). */
        String error() {
            return json().getAsJsonObject().get("error").getAsString();
        }

        HttpServletResponse servlet() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener l) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void write(int b) {
                    body.write(b);
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> switch (m.getName()) {
                        case "setStatus" -> {
                            status = (Integer) a[0];
                            yield null;
                        }
                        case "getStatus" -> status;
                        case "setHeader", "addHeader" -> {
                            headers.put((String) a[0], (String) a[1]);
                            yield null;
                        }
                        case "getHeader" -> headers.get((String) a[0]);
                        case "setContentType" -> {
                            headers.put("Content-Type", (String) a[0]);
                            yield null;
                        }
                        case "setCharacterEncoding", "setContentLength", "setContentLengthLong", "flushBuffer" -> null;
                        case "getOutputStream" -> out;
                        case "isCommitted" -> body.size() > 0;
                        case "toString" -> "response " + status;
                        case "hashCode" -> System.identityHashCode(p);
                        case "equals" -> p == a[0];
                        default -> throw new UnsupportedOperationException("the fake response has no " + m.getName());
                    });
        }
    }

    /** Calls {@code servlet} with {@code req}; what it answered. */
    static Response call(ApiServlet servlet, Request req) throws Exception {
        Response resp = new Response();
        servlet.service(req.servlet(), resp.servlet());
        return resp;
    }
}
