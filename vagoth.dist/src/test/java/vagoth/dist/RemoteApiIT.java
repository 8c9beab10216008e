package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote API as a client meets it: real HTTPS requests to a real daemon
 * on a free port, trusting only the certificate the daemon made for itself.
 * One daemon for all the cases: each makes its own tokens and nodes, counts
 * what it changed (not what there is), and puts back what it changes of
 * what is shared (the home's hyper1).
 */
@Timeout(300)
class RemoteApiIT {
    @TempDir
    static Path home;
    private static ApiDaemon api;
    private static int port;
    private static HttpClient client;

    @BeforeAll
    static void startDaemon() throws Exception {
        api = ApiDaemon.start(home, "");
        port = api.port;
        client = api.client;
    }

    @AfterAll
    static void stop() throws Exception {
        VagothProcess.endProcessesOf(home); // also when the daemon never started
    }

    /** The cases' token of {@code role} (made once; a case that revokes tokens makes its own). */
    private static final java.util.Map<String, String> TOKENS = new java.util.HashMap<>();

    private String token(String role) throws Exception {
        String t = TOKENS.get(role);
        if (t == null) {
            t = api.token(role);
            TOKENS.put(role, t);
        }
        return t;
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        return api.call(method, path, token);
    }

    @Test
    void eachRoleGetsWhatItMayAndARefusalForTheRest() throws Exception {
        String viewer = token("viewer");
        String operator = token("operator");
        String admin = token("admin");

        HttpResponse<String> none = call("GET", "/api/v1/nodes", null);
        assertEquals(401, none.statusCode(), none.body());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertTrue(json(none.body()).getAsJsonObject().has("error"), none.body());
        assertEquals(401, call("GET", "/api/v1/nodes", viewer + "x").statusCode());
        assertEquals(401, call("GET", "/api/v1/nodes", "vgt_00000000_nothing").statusCode());

        HttpResponse<String> nodes = call("GET", "/api/v1/nodes", viewer);
        assertEquals(200, nodes.statusCode(), nodes.body());
        assertTrue(names(nodes.body()).contains("hyper1"), nodes.body());
        assertEquals("application/json", nodes.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        assertEquals(200, call("GET", "/api/v1/nodes/hyper1", viewer).statusCode());
        assertEquals(404, call("GET", "/api/v1/nodes/nosuch", viewer).statusCode());
        assertEquals(400, call("GET", "/api/v1/nodes/..%2Fetc", viewer).statusCode());
        assertEquals(400, call("GET", "/api/v1/nodes?colour=red", viewer).statusCode());
        assertEquals(200, call("GET", "/api/v1/nodes?type=hv&name=hyper*", viewer).statusCode());
        assertEquals(200, call("GET", "/api/v1/jobs", viewer).statusCode());
        assertEquals(404, call("GET", "/api/v1/elsewhere", viewer).statusCode());

        HttpResponse<String> cancel = call("DELETE", "/api/v1/jobs/nosuch", viewer);
        assertEquals(403, cancel.statusCode(), cancel.body());
        assertTrue(cancel.body().contains("needs the operator role"), cancel.body());
        assertEquals(404, call("DELETE", "/api/v1/jobs/nosuch", operator).statusCode());

        assertEquals(403, call("GET", "/api/v1/tokens", operator).statusCode());
        HttpResponse<String> tokens = call("GET", "/api/v1/tokens", admin);
        assertEquals(200, tokens.statusCode(), tokens.body());
        assertTrue(tokens.body().contains("viewer-test") && !tokens.body().contains(viewer.substring(13)),
                tokens.body());
        assertEquals("viewer", field(call("GET", "/api/v1/token", viewer).body(), "role"));
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        return api.send(method, path, token, body);
    }

    /** {@code promtool check metrics} (Debian's prometheus package, which .ci/run installs) accepts {@code text}. */
    static void promtoolAccepts(String text) throws Exception {
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics: " + said);
    }

    private static com.google.gson.JsonElement json(String body) {
        return com.google.gson.JsonParser.parseString(body);
    }

    /** A top-level field of a JSON object as text (a string's value, else its JSON); null when it is absent. */
    private static String field(String body, String name) {
        com.google.gson.JsonElement v = json(body).getAsJsonObject().get(name);
        return v == null || v.isJsonNull() ? null : v.isJsonPrimitive() ? v.getAsString() : v.toString();
    }

    /** The value of one series (name and labels, as exposed) in a metrics text; 0 when it is not there. */
    private static double metric(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }

    /** The {@code name}s of a JSON array of nodes, in order. */
    private static List<String> names(String body) {
        return json(body).getAsJsonArray().asList().stream().map(e -> e.getAsJsonObject().get("name").getAsString())
                .toList();
    }

    /** Polls the job the answer's Location names until it ends; its last form. */
    private String awaitJob(HttpResponse<String> accepted, String token) throws Exception {
        String location = accepted.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("/api/v1/jobs/"), location);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String job = call("GET", location, token).body();
            if (List.of("done", "failed").contains(field(job, "state"))) {
                return job;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + location + " never ended");
    }

    @Test
    void anOperatorRunsAVmsActionsAsJobsAndBadInputChangesNothing() throws Exception {
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "vm1", "template=debian").status());
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "vm1x").status());
        String viewer = token("viewer");
        String operator = token("operator");
        assertEquals(403, send("POST", "/api/v1/vms/vm1/start", viewer, "").statusCode());
        String vms = call("GET", "/api/v1/vms", viewer).body();
        assertTrue(names(vms).containsAll(List.of("vm1", "vm1x")) && !names(vms).contains("hyper1"), vms);
        assertEquals(404, call("GET", "/api/v1/vms/hyper1", viewer).statusCode());
        assertEquals(400, call("GET", "/api/v1/vms?type=hv", viewer).statusCode());
        assertEquals(200, call("GET", "/api/v1/vms/vm1", viewer).statusCode());
        HttpResponse<String> page = call("GET", "/api/v1/nodes?name=vm1*&limit=1", viewer);
        assertEquals(List.of("vm1"), names(page.body()), page.body());
        assertEquals("2", page.headers().firstValue("X-Total-Count").orElse(""));
        String next = page.headers().firstValue("Link").orElseThrow();
        assertEquals("</api/v1/nodes?after=vm1&limit=1&name=vm1*>; rel=\"next\"", next);
        HttpResponse<String> last = call("GET", next.substring(1, next.indexOf('>')), viewer);
        assertEquals(List.of("vm1x"), names(last.body()), last.body());
        assertTrue(last.headers().firstValue("Link").isEmpty(), "no page after the last");
        assertEquals(400, call("GET", "/api/v1/nodes?limit=0", viewer).statusCode());
        assertEquals(400, call("GET", "/api/v1/nodes?limit=1&limit=2", viewer).statusCode());

        String counted = call("GET", "/metrics", viewer).body(); // what the other cases' work counted so far
        HttpResponse<String> start = send("POST", "/api/v1/vms/vm1/start", operator, "");
        assertEquals(202, start.statusCode(), start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> waited = call("GET", location + "?wait=60", viewer);
        assertEquals("done", field(waited.body(), "state"), "waited for: " + waited.body());
        assertEquals(400, call("GET", location + "?wait=soon", viewer).statusCode());
        assertEquals("done", field(awaitJob(start, operator), "state"));
        String vm = call("GET", "/api/v1/nodes/vm1", viewer).body();
        assertEquals("starting", field(vm, "state"), vm);
        assertEquals("hyper1", field(vm, "parent"), vm);
        String jobs = VagothProcess.run(home, List.of(), "jobs").out();
        assertTrue(jobs.contains("api:operator-test"), "the job's source is the token's name: " + jobs);

        // the job's end is counted at the event feed's next look (250 ms)
        String ended = "vagoth_jobs_ended_total{action=\"start\",outcome=\"done\"}";
        HttpResponse<String> metrics = call("GET", "/metrics", viewer);
        for (int i = 0; i < 100 && metric(metrics.body(), ended) < metric(counted, ended) + 1; i++) {
            Thread.sleep(100);
            metrics = call("GET", "/metrics", viewer);
        }
        assertEquals(200, metrics.statusCode(), metrics.body());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        for (String series : List.of(ended, "vagoth_vms{state=\"starting\"}", "vagoth_http_requests_total{route="
                + "\"/api/v1/vms/{name}/start\",method=\"POST\",status=\"202\"}")) {
            assertEquals(metric(counted, series) + 1, metric(metrics.body(), series), series + ": " + metrics.body());
        }
        assertFalse(metrics.body().contains("vm1"), "no node names as label values");
        promtoolAccepts(metrics.body());
        assertEquals(401, call("GET", "/metrics", null).statusCode());

        String before = call("GET", "/api/v1/nodes/vm1", viewer).body();
        String[][] bad = {
            {"/api/v1/vms/vm1/stop", "{not json", "400"},
            {"/api/v1/vms/vm1/stop", "[1, 2]", "400"},
            {"/api/v1/vms/vm1/stop", "{\"force\": \"yes\"}", "400"},
            {"/api/v1/vms/vm1/define", "{\"hint\": 7}", "400"},
            {"/api/v1/vms/vm1/migrate", "{}", "400"},
            {"/api/v1/vms/vm1/explode", "", "404"},
            {"/api/v1/vms/nosuch/stop", "", "404"},
            {"/api/v1/vms/..%2Fx/stop", "", "400"},
            {"/api/v1/vms/hyper1/stop", "", "409"},
            {"/api/v1/vms/vm1/stop", "{\"a\": \"" + "x".repeat(2 << 20) + "\"}", "413"},
        };
        for (String[] b : bad) {
            HttpResponse<String> r = send("POST", b[0], operator, b[1]);
            assertEquals(Integer.parseInt(b[2]), r.statusCode(), b[0] + " " + b[1].length() + ": " + r.body());
            // Jetty itself refuses an encoded slash before any servlet sees it (its own page, status 400)
            if (r.statusCode() != 413 && !b[0].contains("%2F")) {
                assertTrue(json(r.body()).getAsJsonObject().has("error"), b[0] + ": " + r.body());
            }
        }
        assertEquals(before, call("GET", "/api/v1/nodes/vm1", viewer).body(), "nothing changed");
    }

    @Test
    void hypervisorsShowTheirCapacityAndAnAdminPutsOneInMaintenance() throws Exception {
        String operator = token("operator");
        String admin = token("admin");
        HttpResponse<String> hvs = call("GET", "/api/v1/hypervisors", operator);
        assertEquals(200, hvs.statusCode(), hvs.body());
        com.google.gson.JsonObject first = json(hvs.body()).getAsJsonArray().get(0).getAsJsonObject();
        assertTrue(first.has("capacity") && !first.get("maintenance").getAsBoolean(), hvs.body());
        assertEquals(403, send("PUT", "/api/v1/hypervisors/hyper1/maintenance", operator, "{\"on\": \"true\"}")
                .statusCode());
        for (String bad : new String[] {"{\"on\": \"maybe\"}", "{\"on\": 1}", "{\"on\": null}", "{}"}) {
            HttpResponse<String> refused = send("PUT", "/api/v1/hypervisors/hyper1/maintenance", admin, bad);
            assertEquals(400, refused.statusCode(), bad);
            assertTrue(refused.body().contains("true or false"), refused.body());
        }
        assertEquals("false", field(call("GET", "/api/v1/hypervisors/hyper1", admin).body(), "maintenance"));
        HttpResponse<String> on = send("PUT", "/api/v1/hypervisors/hyper1/maintenance", admin, "{\"on\": true}");
        assertEquals(200, on.statusCode(), on.body());
        assertEquals("true", field(on.body(), "maintenance"), on.body());
        // the string form the API took before is still taken, until the next release
        HttpResponse<String> off = send("PUT", "/api/v1/hypervisors/hyper1/maintenance", admin, "{\"on\": \"false\"}");
        assertTrue(off.statusCode() == 200 && field(off.body(), "maintenance").equals("false"), off.body());
        on = send("PUT", "/api/v1/hypervisors/hyper1/maintenance", admin, "{\"on\": \"true\"}");
        assertTrue(on.statusCode() == 200 && field(on.body(), "maintenance").equals("true"), on.body());
        assertTrue(VagothProcess.run(home, List.of(), "listhv").out().contains("maintenance"));
        assertEquals(200, send("PUT", "/api/v1/hypervisors/hyper1/maintenance", admin, "{\"on\": false}")
                .statusCode(), "the other cases' VMs run on hyper1");
        assertEquals(404, call("GET", "/api/v1/hypervisors/nosuch", admin).statusCode());

        // a host that answered its last poll is not fenced (its VMs may run): one that does not answer is
        HttpResponse<String> answering = send("POST", "/api/v1/hypervisors/hyper1/fence", admin, "");
        assertEquals(409, answering.statusCode(), answering.body());
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "--type", "hv", "dead", "driver=geats",
                "agent=/nonexistent/agent").status());
        assertEquals(403, send("POST", "/api/v1/hypervisors/dead/fence", operator, "").statusCode());
        assertEquals(400, send("POST", "/api/v1/hypervisors/dead/fence", admin, "{\"command\": \"yes\"}")
                .statusCode());
        HttpResponse<String> fenced = send("POST", "/api/v1/hypervisors/dead/fence", admin, "");
        assertEquals(200, fenced.statusCode(), fenced.body());
        assertTrue(field(fenced.body(), "fenced").equals("true") && json(fenced.body()).getAsJsonObject()
                .getAsJsonArray("released").isEmpty(),
                fenced.body());
        HttpResponse<String> unfenced = send("POST", "/api/v1/hypervisors/dead/unfence", admin, "");
        assertEquals(200, unfenced.statusCode(), unfenced.body());
        assertEquals("false", field(unfenced.body(), "fenced"), unfenced.body());
        assertEquals(200, send("DELETE", "/api/v1/nodes/dead", admin, "").statusCode(), "no host for the other cases");

        String templates = call("GET", "/api/v1/templates", operator).body();
        assertTrue(json(templates).getAsJsonObject().get("debian").isJsonObject(), templates);
        String plugins = call("GET", "/api/v1/plugins", operator).body();
        assertTrue(json(plugins).getAsJsonArray().asList().stream().map(com.google.gson.JsonElement::getAsJsonObject)
                .anyMatch(o -> o.get("concept").getAsString().equals("registry")
                        && o.get("state").getAsString().equals("active")),
                plugins);
    }

    @Test
    void anAdminCreatesChangesAndDeletesNodes() throws Exception {
        String operator = token("operator");
        String admin = token("admin");
        String vm = "{\"id\": \"web1\", \"definition\": {\"template\": \"debian\"}, \"tags\": {\"role\": \"web\"}}";
        assertEquals(403, send("POST", "/api/v1/nodes", operator, vm).statusCode());
        HttpResponse<String> made = send("POST", "/api/v1/nodes", admin, vm);
        assertEquals(201, made.statusCode(), made.body());
        assertEquals("/api/v1/nodes/web1", made.headers().firstValue("Location").orElse(""));
        assertTrue(json(made.body()).getAsJsonObject().getAsJsonObject("tags").get("role").getAsString().equals("web")
                && json(made.body()).getAsJsonObject().getAsJsonObject("definition").get("template").getAsString()
                        .equals("debian"),
                made.body());
        assertTrue(VagothProcess.run(home, List.of(), "list", "web1").out().contains("web1"), "the CLI sees it");

        HttpResponse<String> twice = send("POST", "/api/v1/nodes", admin, vm);
        assertEquals(409, twice.statusCode(), twice.body());
        assertEquals(400, send("POST", "/api/v1/nodes", admin, "{\"id\": \"../x\"}").statusCode());
        assertEquals(400, send("POST", "/api/v1/nodes", admin, "{\"id\": \"x\", \"tenant\": 5}").statusCode());
        assertEquals(400, send("POST", "/api/v1/nodes", admin, "{\"id\": \"x\", \"tags\": [1]}").statusCode());
        assertEquals(400, send("POST", "/api/v1/nodes", admin, "{\"name\": \"x\"}").statusCode());
        assertEquals(404, call("GET", "/api/v1/nodes/x", admin).statusCode(), "no refused node was made");

        HttpResponse<String> changed = send("PUT", "/api/v1/nodes/web1", admin,
                "{\"name\": \"web2\", \"tenant\": \"shop\", \"tags\": {\"role\": \"\", \"tier\": \"front\"}}");
        assertEquals(200, changed.statusCode(), changed.body());
        com.google.gson.JsonObject tags = json(changed.body()).getAsJsonObject().getAsJsonObject("tags");
        assertTrue(field(changed.body(), "name").equals("web2") && tags.get("tier").getAsString().equals("front")
                && !tags.has("role"), changed.body());
        assertEquals(400, send("PUT", "/api/v1/nodes/web2", admin, "{\"state\": \"running\"}").statusCode());

        assertEquals(403, send("DELETE", "/api/v1/nodes/web2", operator, "").statusCode());
        assertEquals(200, send("DELETE", "/api/v1/nodes/web2", admin, "").statusCode());
        assertEquals(404, call("GET", "/api/v1/nodes/web2", admin).statusCode());
        assertEquals(404, send("DELETE", "/api/v1/nodes/web2", admin, "").statusCode());
    }

    /** An open event stream: its lines as they come. */
    private final class EventStream implements AutoCloseable {
        final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        final java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response;

        EventStream(String token, String lastId) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/v1/events"))
                    .header("Authorization", "Bearer " + token);
            if (lastId != null) {
                b.header("Last-Event-ID", lastId);
            }
            response = client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines());
            response.thenAccept(r -> new Thread(() -> {
                try {
                    r.body().forEach(lines::add);
                } catch (RuntimeException e) {
                    // closed
                }
            }, "event-reader").start());
        }

        /** The next event (its id, type and data lines), waiting up to 30 s. */
        String[] next() throws InterruptedException {
            String id = null;
            String type = null;
            while (true) {
                String l = lines.poll(30, TimeUnit.SECONDS);
                if (l == null) {
                    throw new AssertionError("no event within 30 s");
                }
                if (l.startsWith("id: ")) {
                    id = l.substring(4);
                } else if (l.startsWith("event: ")) {
                    type = l.substring(7);
                } else if (l.startsWith("data: ")) {
                    return new String[] {id, type, l.substring(6)};
                }
            }
        }

        /** The next event whose data names {@code name}, skipping others. */
        String[] nextAbout(String name) throws InterruptedException {
            while (true) {
                String[] e = next();
                if (name.equals(field(e[2], "name"))) {
                    return e;
                }
            }
        }

        @Override
        public void close() {
            response.thenAccept(r -> r.body().close());
            response.cancel(true);
        }
    }

    @Test
    void theEventStreamDeliversACommandLineChangeAndResumesWithoutLossOrRepeat() throws Exception {
        String viewer = token("viewer");
        String lastSeen;
        try (EventStream s = new EventStream(viewer, null)) {
            assertEquals(200, s.response.get(30, TimeUnit.SECONDS).statusCode(), "the stream is open");
            assertEquals(0, VagothProcess.run(home, List.of(), "new", "ev1", "template=debian").status());
            String[] created = s.nextAbout("ev1");
            assertEquals("node.created", created[1], String.join(" | ", created));
            lastSeen = created[0];
        }
        assertEquals(0, VagothProcess.run(home, List.of(), "set", "--tag", "tier=db", "ev1").status());
        // the feed looks every 250 ms: two changes to one node within one look are one event (README)
        Thread.sleep(1000);
        assertEquals(0, VagothProcess.run(home, List.of(), "delete", "ev1").status());
        try (EventStream s = new EventStream(viewer, lastSeen)) {
            long seq = Long.parseLong(lastSeen.substring(lastSeen.indexOf('-') + 1));
            String epoch = lastSeen.substring(0, lastSeen.indexOf('-'));
            List<String> types = new java.util.ArrayList<>();
            while (!types.contains("node.deleted")) {
                String[] e = s.next();
                assertEquals(epoch + "-" + (++seq), e[0], "each event once, in order, none left out");
                if ("ev1".equals(field(e[2], "name"))) {
                    types.add(e[1]);
                }
            }
            assertEquals(List.of("node.changed", "node.deleted"), types);
        }
        try (EventStream s = new EventStream(viewer, "zzzz-5")) {
            assertEquals("reset", s.next()[1], "an id of another daemon's cannot be resumed from");
        }
        assertEquals(400, call("GET", "/api/v1/events?after=1;2", viewer).statusCode());
    }

    /** {@code bin/vagoth --remote URL --fingerprint FP args} with {@code token} in VAGOTH_TOKEN. */
    private VagothProcess.Result remote(String token, String... args) throws Exception {
        String fingerprint = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(certificate().getEncoded()));
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth")
                .toString(), "--remote", "https://127.0.0.1:" + port, "--fingerprint", fingerprint));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("VAGOTH_TOKEN", token);
        pb.environment().put("VAGOTH_HOME", home.resolve("elsewhere").toString()); // nothing of this home is used
        Process p = pb.start();
        VagothProcess.Result r = VagothProcess.ended(p, 120, "bin/vagoth --remote");
        return new VagothProcess.Result(r.status(), r.out().strip(), r.err().strip());
    }

    private java.security.cert.Certificate certificate() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(home.resolve("etc/tls/vagoth.p12"))) {
            ks.load(in, Files.readString(home.resolve("etc/tls/vagoth.p12.password")).trim().toCharArray());
        }
        return ks.getCertificate("vagoth");
    }

    /** What a command printed, its transaction ids and sources aside (they differ by run and by caller). */
    private static String same(VagothProcess.Result r) {
        return r.status() + "\n" + r.out() + "\n" + r.err().replaceAll("txid=[0-9a-f]{8}", "txid=T")
                .replaceAll("source=\\S+", "source=S");
    }

    @Test
    void theRemoteCommandLineRunsTheWalkthroughAndPrintsWhatTheLocalOnePrints() throws Exception {
        String admin = token("admin");
        String[][] walkthrough = {{"new", "devnode1", "template=debian"}, {"list", "devnode1"}, {"start", "devnode1"},
            {"list", "devnode1"}, {"poll"}, {"list", "devnode1"}, {"stop", "devnode1"}, {"poll"},
            {"deprovision", "devnode1"}, {"delete", "devnode1"}, {"list", "devnode1"}, {"lsit"}, {"start"}};
        List<String> remotely = new java.util.ArrayList<>();
        for (String[] c : walkthrough) {
            remotely.add(same(remote(admin, c)));
        }
        List<String> locally = new java.util.ArrayList<>();
        for (String[] c : walkthrough) {
            locally.add(same(VagothProcess.run(home, List.of(), c)));
        }
        assertEquals(locally, remotely);
        assertTrue(remotely.get(2).startsWith("0\nstart: OK (devnode1)"), remotely.get(2));
        assertTrue(remotely.get(11).startsWith("2\n"), remotely.get(11));

        String viewer = token("viewer");
        VagothProcess.Result refused = remote(viewer, "new", "x");
        assertEquals(1, refused.status(), refused.toString());
        assertTrue(refused.err().contains("needs the admin role"), refused.err());
        VagothProcess.Result bad = remote("vgt_00000000_x", "list");
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("401"), bad.err());
    }

    @Test
    void aRevokedTokenIsRefusedAtOnceAndNoTokenIsLogged() throws Exception {
        String viewer = api.token("viewer", "viewer-revoked");
        assertEquals(200, call("GET", "/api/v1/nodes", viewer).statusCode());
        String id = viewer.substring(4, 12);
        assertEquals(0, VagothProcess.run(home, List.of(), "token", "revoke", id).status());
        assertEquals(401, call("GET", "/api/v1/nodes", viewer).statusCode());

        String admin = token("admin");
        assertEquals(200, call("DELETE", "/api/v1/tokens/" + api.token("operator", "operator-revoked").substring(4, 12),
                admin).statusCode());
        assertEquals(400, call("GET", "/api/v1/nodes?token=" + admin, null).statusCode(), "a token in the URL");
        try (Stream<Path> files = Files.walk(home.resolve("var/log"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String log = Files.readString(f);
                assertFalse(log.contains(viewer.substring(13)) || log.contains(admin.substring(13)), f + " holds a token");
            }
        }
        assertTrue(Files.readString(home.resolve("var/log/vagoth.log")).contains("admin-test"),
                "a change is logged with its actor");
    }

    @Test
    void plainHttpIsRefused() throws Exception {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/nodes"))
                .timeout(Duration.ofSeconds(30)).build();
        assertEquals(401, call("GET", "/api/v1/nodes", null).statusCode(), "the port serves HTTPS");
        IOException e = assertThrows(IOException.class, () -> plain.send(req, HttpResponse.BodyHandlers.ofString()));
        assertTrue(!(e instanceof java.net.ConnectException) && !(e instanceof java.net.http.HttpTimeoutException),
                "the plain request reached the port and got no HTTP answer, not a refused connection or a wait: " + e);
    }
}
