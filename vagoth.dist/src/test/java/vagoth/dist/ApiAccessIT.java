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

    /** Past a few refused tokens an address is answered 429 with Retry-After at once; a valid token still gets in. */
    @Test
    @Timeout(120)
    void failuresFromOneAddressAreAnswered429() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        String bad = "Bearer vgt_00000000_nothing";
        for (int i = 0; i < 5; i++) {
            assertTrue(api.statusLine("GET", "/api/v1/nodes", bad, null, "127.0.0.9").startsWith("HTTP/1.1 401 "));
        }
        String limited = "";
        for (int i = 0; i < 20 && !limited.startsWith("HTTP/1.1 429 "); i++) {
            limited = api.statusLine("GET", "/api/v1/nodes", bad, null, "127.0.0.9");
        }
        assertTrue(limited.startsWith("HTTP/1.1 429 "), limited);
        assertTrue(limited.lines().anyMatch(l -> l.matches("(?i)Retry-After: [1-5]")), limited);
        assertTrue(api.statusLine("GET", "/api/v1/nodes", "Bearer " + api.token("viewer"), null, "127.0.0.9")
                .startsWith("HTTP/1.1 200 "), "a valid token from that address is still let in");
        assertTrue(api.statusLine("GET", "/api/v1/nodes", bad, null, "127.0.0.8").startsWith("HTTP/1.1 401 "),
                "another address is not limited");
    }

    /** A refused sign-in (the console's: the token in the body) counts as a failure from its address too. */
    @Test
    @Timeout(120)
    void refusedSignInsFromOneAddressAreAnswered429() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        String bad = "{\"token\": \"vgt_00000000_nothing\"}";
        String limited = "";
        for (int i = 0; i < 25 && !limited.startsWith("HTTP/1.1 429 "); i++) {
            limited = api.statusLine("POST", "/api/v1/session", null, bad, "127.0.0.10");
            assertTrue(limited.startsWith("HTTP/1.1 401 ") || limited.startsWith("HTTP/1.1 429 "), limited);
        }
        assertTrue(limited.startsWith("HTTP/1.1 429 "), limited);
        assertTrue(limited.lines().anyMatch(l -> l.matches("(?i)Retry-After: [1-5]")), limited);
        assertTrue(api.statusLine("POST", "/api/v1/session", null, bad, "127.0.0.11").startsWith("HTTP/1.1 401 "),
                "another address is not limited");
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

    /**
     * Two hundred clients without a token announce a 100 kB body and send ten bytes of it: each is answered 401 at
     * once, without its body being waited for, and an authenticated request meanwhile within a second.
     */
    @Test
    @Timeout(180)
    void stalledUploadsWithoutATokenStarveNothing() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "");
        String viewer = api.token("viewer");
        javax.net.ssl.SSLSocketFactory f = api.client.sslContext().getSocketFactory();
        List<javax.net.ssl.SSLSocket> attackers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) f.createSocket();
                attackers.add(s);
                s.bind(new java.net.InetSocketAddress("127.0.1." + (1 + i % 200), 0));
                s.connect(new java.net.InetSocketAddress("127.0.0.1", api.port), 10_000);
                s.setSoTimeout(20_000);
                s.getOutputStream().write(("POST /api/v1/nodes HTTP/1.1\r\nHost: localhost\r\nContent-Type:"
                        + " application/json\r\nContent-Length: 100000\r\n\r\n{\"id\": \"x").getBytes(
                                java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            long began = System.nanoTime();
            HttpResponse<String> served = api.call("GET", "/api/v1/nodes/hyper1", viewer);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            assertEquals(200, served.statusCode());
            assertTrue(tookMs < 1000, "an authenticated request took " + tookMs + " ms among 200 stalled uploads");
            for (javax.net.ssl.SSLSocket s : attackers) {
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII)).readLine();
                assertTrue(line != null && line.startsWith("HTTP/1.1 401 "), "answered without its body: " + line);
            }
        } finally {
            for (javax.net.ssl.SSLSocket s : attackers) {
                s.close();
            }
        }
    }

    /**
     * Event streams hold no server thread: 200 open at once (two viewers) starve nothing, and a token over its limit
     * is answered 429.
     */
    @Test
    @Timeout(180)
    void twoHundredEventStreamsStarveNothing() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "streams.per.token = 120\n");
        String[] viewers = {api.token("viewer"), api.token("operator")};
        javax.net.ssl.SSLSocketFactory f = api.client.sslContext().getSocketFactory();
        List<javax.net.ssl.SSLSocket> streams = new java.util.ArrayList<>();
        try {
            int over = 0;
            for (int i = 0; i < 240; i++) {
                javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", api.port);
                streams.add(s);
                s.setSoTimeout(20_000);
                s.getOutputStream().write(("GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                        + viewers[i % 2] + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII)).readLine();
                assertTrue(line.startsWith("HTTP/1.1 200 ") || line.startsWith("HTTP/1.1 429 "), line);
                over += line.startsWith("HTTP/1.1 429 ") ? 1 : 0;
            }
            assertEquals(0, over, "the first 240 streams, 120 a token, are all served");
            javax.net.ssl.SSLSocket one = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", api.port);
            streams.add(one);
            one.getOutputStream().write(("GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + viewers[0] + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            one.getOutputStream().flush();
            assertTrue(new java.io.BufferedReader(new java.io.InputStreamReader(one.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine().startsWith("HTTP/1.1 429 "),
                    "one over the token's limit");
            long began = System.nanoTime();
            HttpResponse<String> served = api.call("GET", "/api/v1/nodes/hyper1", viewers[0]);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            assertEquals(200, served.statusCode());
            assertTrue(tookMs < 1000, "an authenticated request took " + tookMs + " ms among 240 open streams");
            VagothProcess.run(home, List.of(), "new", "seen");
            String got = "";
            java.io.InputStream in = streams.get(0).getInputStream();
            byte[] buf = new byte[4096];
            for (long end = System.nanoTime() + 10_000_000_000L; !got.contains("node.created") && System.nanoTime() < end;) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                got += new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
            }
            assertTrue(got.contains("node.created"), "a change reaches an open stream: " + got);
        } finally {
            for (javax.net.ssl.SSLSocket s : streams) {
                s.close();
            }
        }
    }
    /**
     * Waiting is explicit: a connection whose body stops arriving is answered 408 and closed after
     * {@code idle.timeout.s}, while a command that waits longer for its job, and thirty requests waiting for that
     * job ({@code ?wait=}), are held to no idle timeout and hold no server thread (eight of them here): an
     * authenticated request meanwhile is answered within a second.
     */
    @Test
    @Timeout(180)
    void aStalledBodyIsDroppedWhileWaitsForAJobHoldNoThread() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, "idle.timeout.s = 5\nthreads = 8\n");
        String operator = api.token("operator");
        String admin = api.token("admin");
        // an agent that takes 20 s over a start, and answers everything else at once
        Path agent = home.resolve("slow-agent");
        Files.writeString(agent, "#!/bin/sh\nread -r line\ncase \"$line\" in *'\"start\"'*) sleep 20;; esac\n"
                + "printf '%s\\n' \"$line\" | exec '" + Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent")
                + "' --backend sim --state '" + home.resolve("var/sim/slow1") + "' --mem-total 4096 --cpus 4\n");
        agent.toFile().setExecutable(true);
        Files.createDirectories(home.resolve("var/sim/slow1"));
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "slow1", "--type", "hv", "driver=geats",
                "agent=" + agent, "agent_session=false", "mem_total=4096", "cpus=4").status());
        assertEquals(0, VagothProcess.run(home, List.of(), "new", "vm1", "template=debian", "ram=128").status());
        assertEquals(0, VagothProcess.run(home, List.of(), "define", "--hint", "slow1", "vm1").status());

        javax.net.ssl.SSLSocketFactory f = api.client.sslContext().getSocketFactory();
        List<javax.net.ssl.SSLSocket> sockets = new java.util.ArrayList<>();
        try {
            javax.net.ssl.SSLSocket stalled = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", api.port);
            sockets.add(stalled);
            stalled.setSoTimeout(60_000);
            send(stalled, "POST /api/v1/nodes HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + admin
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\": \"x");
            javax.net.ssl.SSLSocket command = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", api.port);
            sockets.add(command);
            command.setSoTimeout(60_000);
            String body = "{\"args\": [\"start\", \"vm1\"]}";
            send(command, "POST /api/v1/command HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + operator
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            String job = null;
            for (long end = System.nanoTime() + 15_000_000_000L; job == null && System.nanoTime() < end;) {
                String running = api.call("GET", "/api/v1/jobs?state=running&node=vm1", operator).body();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":\"([0-9a-f]+)\"").matcher(running);
                job = m.find() ? m.group(1) : null;
            }
            assertTrue(job != null, "the start is running");
            List<javax.net.ssl.SSLSocket> waits = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                javax.net.ssl.SSLSocket w = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", api.port);
                sockets.add(w);
                waits.add(w);
                w.setSoTimeout(60_000);
                send(w, "GET /api/v1/jobs/" + job + "?wait=60 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                        + operator + "\r\n\r\n");
            }
            long began = System.nanoTime();
            HttpResponse<String> served = api.call("GET", "/api/v1/nodes/hyper1", operator);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            assertEquals(200, served.statusCode());
            assertTrue(tookMs < 1000, "an authenticated request took " + tookMs + " ms among 30 waits for a job");

            String dropped = new String(stalled.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(dropped.startsWith("HTTP/1.1 408 ") && dropped.contains("idle.timeout.s"), dropped);
            String ran = readAnswer(command);
            assertTrue(ran.startsWith("HTTP/1.1 200 ") && ran.contains("\"status\":0"), "the command outlived the"
                    + " idle timeout: " + ran);
            for (javax.net.ssl.SSLSocket w : waits) {
                String answer = readAnswer(w);
                assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.contains("\"state\":\"done\""), answer);
            }
        } finally {
            for (javax.net.ssl.SSLSocket s : sockets) {
                s.close();
            }
        }
    }

    private static void send(javax.net.ssl.SSLSocket s, String request) throws java.io.IOException {
        s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    /** One HTTP/1.1 answer with a Content-Length, read whole from {@code s}. */
    private static String readAnswer(javax.net.ssl.SSLSocket s) throws java.io.IOException {
        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
        StringBuilder head = new StringBuilder();
        int length = 0;
        for (String line; (line = readLine(in)) != null && !line.isEmpty();) {
            head.append(line).append("\r\n");
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return head + "\r\n" + new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String readLine(java.io.InputStream in) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) >= 0;) {
            if (c == '\n') {
                return sb.toString().stripTrailing();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }
}
