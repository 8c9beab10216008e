package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who gets in, against a real daemon: a scrape token that reads the
 * metrics and nothing else, a token past its expiry, and an address that
 * keeps failing being slowed down.
 */
@Timeout(300)
class ApiAccessIT {
    private static final String SCRAPE = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path home;

    @AfterEach
    void stop() throws Exception {
        VagothProcess.endProcessesOf(home); // also when the daemon never started
    }

    @Test
    void theScrapeTokenReadsTheMetricsWithRegistryMonitorAndAgentFiguresAndNothingElse() throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/metrics.token"), SCRAPE + "\n");
        ApiDaemon api = ApiDaemon.start(home, "metrics.token.file = metrics.token\n");
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "vm1", "template=debian").status());
        assertEquals(0, VagothProcess.run(home, List.of(), "start", "vm1").status());
        assertEquals(0, VagothProcess.run(home, List.of(), "poll").status());

        HttpResponse<String> m = api.call("GET", "/metrics", SCRAPE);
        assertEquals(200, m.statusCode(), m.body());
        String text = m.body();
        assertTrue(text.contains("vagoth_registry_operations_total{operation=\"add\",outcome=\"ok\"} "), text);
        assertTrue(text.contains("vagoth_registry_operation_duration_seconds_count{operation=\"find\"} "), text);
        assertTrue(text.contains("vagoth_agent_calls_total{hypervisor=\"hyper1\",action=\"start\",outcome=\"ok\"} 1"),
                text);
        assertTrue(text.contains("vagoth_agent_call_duration_seconds_bucket{hypervisor=\"hyper1\",le=\"+Inf\"} "),
                text);
        assertTrue(text.contains("vagoth_monitor_polled_hypervisors 1"), text);
        assertTrue(text.contains("vagoth_monitor_unreachable_hypervisors 0"), text);
        assertTrue(text.matches("(?s).*vagoth_monitor_pass_duration_seconds_count [1-9].*"), text);
        assertTrue(!text.contains("vm1"), "no VM names as label values");
        RemoteApiIT.promtoolAccepts(text);

        // a host that does not answer is counted as unreachable, and its agent call as failed
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "hyper9", "--type", "hv", "driver=geats",
                "agent=false").status());
        VagothProcess.run(home, List.of(), "poll");
        text = api.call("GET", "/metrics", SCRAPE).body();
        assertTrue(text.contains("vagoth_monitor_unreachable_hypervisors 1"), text);
        assertTrue(text.contains("vagoth_agent_calls_total{hypervisor=\"hyper9\",action=\"status\",outcome=\"failed\"}"),
                text);

        HttpResponse<String> elsewhere = api.call("GET", "/api/v1/nodes", SCRAPE);
        assertEquals(403, elsewhere.statusCode(), elsewhere.body());
        assertTrue(elsewhere.body().contains("reads GET /metrics only"), elsewhere.body());
        assertEquals(401, api.call("GET", "/metrics", SCRAPE.substring(1) + "0").statusCode());
        assertEquals(200, api.call("GET", "/metrics", api.token("viewer")).statusCode(), "a viewer reads it too");
        String log = Files.readString(home.resolve("var/log/vagoth.log"));
        assertTrue(!log.contains(SCRAPE), "the scrape token is never logged");
    }

    @Test
    void aTokenPastItsExpiryIsRefused() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        String token = api.token("viewer"); // made with no expiry; then one a day long
        VagothProcess.Result r = VagothProcess.run(home, List.of(), "token", "create", "--role", "viewer", "--name",
                "brief", "--expires", "1d");
        assertEquals(0, r.status(), r.toString());
        String brief = r.out().lines().reduce((a, b) -> b).orElseThrow();
        assertEquals(200, api.call("GET", "/api/v1/nodes", brief).statusCode());

        // a day passes, as the store sees it: its expiry moved into the past (written as the store writes: a rename)
        Path store = home.resolve("var/access/tokens.json");
        String stored = Files.readString(store);
        String expires = stored.replaceAll("(?s).*\"expires\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        assertTrue(!expires.equals(stored), "the store records the expiry: " + stored);
        String past = Instant.now().minus(1, ChronoUnit.MINUTES).toString();
        Path moved = home.resolve("var/access/tokens.json.test");
        Files.writeString(moved, stored.replace(expires, past));
        Files.move(moved, store, StandardCopyOption.ATOMIC_MOVE);

        HttpResponse<String> refused = api.call("GET", "/api/v1/nodes", brief);
        assertEquals(401, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("expired"), refused.body());
        assertEquals(200, api.call("GET", "/api/v1/nodes", token).statusCode(), "a token without expiry still works");
        assertTrue(VagothProcess.run(home, List.of(), "token", "list").out().contains("expired"));
    }

    @Test
    @Timeout(120)
    void failuresFromOneAddressAreSlowedDown() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        String bad = "Bearer vgt_00000000_nothing";
        for (int i = 0; i < 7; i++) {
            assertTrue(api.statusLine("GET", "/api/v1/nodes", bad, null, "127.0.0.9").startsWith("HTTP/1.1 401 "));
        }
        // the eighth failure in a minute waits at least 100 ms << 2 (the free five, then 100, 200, 400 ms)
        long began = System.nanoTime();
        assertTrue(api.statusLine("GET", "/api/v1/nodes", bad, null, "127.0.0.9").startsWith("HTTP/1.1 401 "));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertTrue(tookMs >= 400, "the eighth failure was answered after " + tookMs + " ms");
        // a valid token from that address is still let in
        assertTrue(api.statusLine("GET", "/api/v1/nodes", "Bearer " + api.token("viewer"), null, "127.0.0.9")
                .startsWith("HTTP/1.1 200 "));
    }

    /** A refused sign-in (the console's: the token in the body) counts as a failure from its address too. */
    @Test
    @Timeout(120)
    void refusedSignInsFromOneAddressAreSlowedDown() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        String bad = "{\"token\": \"vgt_00000000_nothing\"}";
        for (int i = 0; i < 7; i++) {
            assertTrue(api.statusLine("POST", "/api/v1/session", null, bad, "127.0.0.10").startsWith("HTTP/1.1 401 "));
        }
        long began = System.nanoTime();
        assertTrue(api.statusLine("POST", "/api/v1/session", null, bad, "127.0.0.10").startsWith("HTTP/1.1 401 "));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        // counted once answered: the eighth waits for the seven before it (the free five, then 100, 200 ms)
        assertTrue(tookMs >= 200, "the eighth refused sign-in was answered after " + tookMs + " ms");
        long other = System.nanoTime();
        assertTrue(api.statusLine("POST", "/api/v1/session", null, bad, "127.0.0.11").startsWith("HTTP/1.1 401 "));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - other) < tookMs, "another address is not slowed");
    }

    /**
     * The role of a command sent to /command comes from how its parser reads it: a viewer cannot retry a job by
     * putting an option or a '--' before 'retry', and nothing is run.
     */
    @Test
    @Timeout(180)
    void aViewerCannotRetryAJobWhateverItPutsBeforeRetry() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        VagothProcess.run(home, List.of(), "new", "huge", "ram=99999999");
        assertEquals(1, VagothProcess.run(home, List.of(), "start", "huge").status(), "nothing can take it: it fails");
        String failed = VagothProcess.run(home, List.of(), "jobs", "--node", "huge").out().lines().skip(1)
                .filter(l -> l.contains("failed")).findFirst().orElseThrow().split("\\s+")[0];
        String viewer = api.token("viewer");
        for (String args : List.of("[\"job\", \"--json\", \"retry\", \"" + failed + "\"]",
                "[\"job\", \"--\", \"retry\", \"" + failed + "\"]", "[\"job\", \"retry\", \"" + failed + "\"]")) {
            HttpResponse<String> r = api.send("POST", "/api/v1/command", viewer, "{\"args\": " + args + "}");
            assertEquals(403, r.statusCode(), args + ": " + r.body());
        }
        assertEquals(1, VagothProcess.run(home, List.of(), "jobs", "--node", "huge").out().lines().skip(1).count(),
                "no job was retried");
        StringBuilder many = new StringBuilder("{\"args\": [\"list\"");
        for (int i = 0; i < 50_000; i++) {
            many.append(", \"x\"");
        }
        HttpResponse<String> tooMany = api.send("POST", "/api/v1/command", viewer, many.append("]}").toString());
        assertEquals(400, tooMany.statusCode(), "50,000 arguments are refused before anything reads them");
        for (String[] two : new String[][] {{"Bearer " + viewer, "Bearer vgt_00000000_bad"},
            {"Bearer " + viewer, "Bearer " + api.token("admin")}}) {
            assertTrue(api.statusLine("GET", "/api/v1/nodes", two[0] + "\r\nAuthorization: " + two[1], null,
                    "127.0.0.12").startsWith("HTTP/1.1 400 "), "two Authorization headers are a 400");
        }
        for (String q : new String[] {"Token=x", "t%6Fken=x", "ACCESS_TOKEN=x"}) {
            assertTrue(api.statusLine("GET", "/api/v1/nodes?" + q, "Bearer " + viewer, null, "127.0.0.12")
                    .startsWith("HTTP/1.1 400 "), q);
        }
        HttpResponse<String> read = api.send("POST", "/api/v1/command", viewer, "{\"args\": [\"job\", \"--json\", \""
                + failed + "\"]}");
        assertEquals(200, read.statusCode(), "reading the job is a viewer's: " + read.body());
        HttpResponse<String> retried = api.send("POST", "/api/v1/command", api.token("operator"),
                "{\"args\": [\"job\", \"--\", \"retry\", \"" + failed + "\"]}");
        assertEquals(200, retried.statusCode(), retried.body());
        assertTrue(VagothProcess.run(home, List.of(), "jobs", "--node", "huge").out().contains("api:"),
                "the retry is recorded as the API's caller's: " + VagothProcess.run(home, List.of(), "jobs", "--node",
                        "huge").out());
    }

    /** An admin token is not a shell on the coordinator: the API sets only the agent command lines allowed. */
    @Test
    @Timeout(180)
    void theApiSetsOnlyAllowedAgentCommandLines() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        String admin = api.token("admin");
        Path pwned = home.resolve("pwned");
        String shell = "/bin/sh -c 'touch " + pwned + "'";
        HttpResponse<String> created = api.send("POST", "/api/v1/nodes", admin, "{\"id\": \"evil\", \"type\": \"hv\","
                + " \"definition\": {\"driver\": \"geats\", \"agent\": \"" + shell.replace("'", "\\u0027") + "\"}}");
        assertEquals(403, created.statusCode(), created.body());
        assertTrue(created.body().contains("agent.allowed"), created.body());
        HttpResponse<String> command = api.send("POST", "/api/v1/command", admin, "{\"args\": [\"new\", \"--type\","
                + " \"hv\", \"evil2\", \"driver=geats\", \"agent=/bin/sh -c id\"]}");
        assertEquals(403, command.statusCode(), command.body());
        String own = Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent") + " --backend sim --state "
                + home.resolve("var/sim/good");
        HttpResponse<String> good = api.send("POST", "/api/v1/nodes", admin, "{\"id\": \"good\", \"type\": \"hv\","
                + " \"definition\": {\"driver\": \"geats\", \"agent\": \"" + own + "\"}}");
        assertEquals(201, good.statusCode(), good.body());
        VagothProcess.run(home, List.of(), "poll");
        String list = VagothProcess.run(home, List.of(), "listhv").out();
        assertTrue(list.contains("good") && !list.contains("evil"), list);
        assertTrue(!Files.exists(pwned), "nothing ran");
    }

    /** TLS 1.2 offers authenticated encryption only (no CBC suite), and the console's files say HTTPS only. */
    @Test
    @Timeout(120)
    void onlyAeadSuitesAndTheConsoleAsksForHttpsOnly() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        javax.net.ssl.SSLSocketFactory f = api.client.sslContext().getSocketFactory();
        String[] cbc = java.util.Arrays.stream(f.getSupportedCipherSuites()).filter(c -> c.contains("_CBC_"))
                .toArray(String[]::new);
        String[] gcm = java.util.Arrays.stream(f.getSupportedCipherSuites()).filter(c -> c.contains("_GCM_"))
                .toArray(String[]::new);
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", api.port)) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(cbc);
            org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, s::startHandshake,
                    "a CBC suite was accepted");
        }
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", api.port)) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(gcm);
            s.startHandshake();
            assertTrue(s.getSession().getCipherSuite().contains("_GCM_"), s.getSession().getCipherSuite());
        }
        HttpResponse<String> page = api.call("GET", "/ui/index.html", null);
        assertEquals(200, page.statusCode());
        assertEquals("max-age=31536000", page.headers().firstValue("Strict-Transport-Security").orElse(""));
    }
}
