package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real daemon serving the remote API on a free port of this machine, with
 * an HTTPS client that trusts only the certificate the daemon made for
 * itself. Closing it ends the processes of its home.
 */
final class ApiDaemon implements AutoCloseable {
    final Path home;
    final int port;
    final HttpClient client;

    private ApiDaemon(Path home, int port, HttpClient client) {
        this.home = home;
        this.port = port;
        this.client = client;
    }

    /**
     * Makes {@code home} with its first command's defaults, adds
     * {@code httpConfig} lines to {@code etc/vagoth.http.cfg} and starts the
     * daemon there.
     */
    static ApiDaemon start(Path home, String httpConfig) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        if (Files.isDirectory(home)) {
            try (var entries = Files.list(home)) {
                if (entries.findAny().isEmpty()) {
                    Files.delete(home); // made by the first command, with its defaults
                }
            }
        }
        VagothProcess.run(home, List.of(), "help");
        Files.writeString(home.resolve("etc/vagoth.http.cfg"), "port = " + port + "\n" + httpConfig);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth").toString(),
                "daemon", "start");
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().remove("VAGOTH_NO_DAEMON");
        pb.environment().remove("VAGOTH_NO_AUTOSTART");
        Process p = pb.redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "the daemon did not start");
        Path keystore = home.resolve("etc/tls/vagoth.p12");
        awaitServing(keystore, port);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trusted.load(in, Files.readString(home.resolve("etc/tls/vagoth.p12.password")).trim().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return new ApiDaemon(home, port,
                HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build());
    }

    private static void awaitServing(Path keystore, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(keystore)) {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    return;
                } catch (IOException e) {
                    // not yet
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the API never listened on " + port);
    }

    /** The SHA-256 fingerprint of the daemon's certificate, as {@code bin/vagoth --remote --fingerprint} takes it. */
    String fingerprint() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(home.resolve("etc/tls/vagoth.p12"))) {
            ks.load(in, Files.readString(home.resolve("etc/tls/vagoth.p12.password")).trim().toCharArray());
        }
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(ks.getCertificate("vagoth").getEncoded()));
    }

    /** A new token of {@code role}, named {@code ROLE-test}, made by the command line. */
    String token(String role) throws Exception {
        return token(role, role + "-test");
    }

    /** A new token of {@code role} named {@code name} (a name is taken once). */
    String token(String role, String name) throws Exception {
        VagothProcess.Result r = VagothProcess.run(home, List.of(), "token", "create", "--role", role, "--name",
                name);
        assertEquals(0, r.status(), r.toString());
        return r.out().lines().reduce((a, b) -> b).orElseThrow();
    }

    URI uri(String path) {
        return URI.create("https://localhost:" + port + path);
    }

    /** {@code method path} with no body; no Authorization header when {@code token} is null. */
    HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code method path} with a JSON body. */
    HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The status line of {@code method path} sent from the loopback address
     * {@code from} (127.0.0.N: failures are counted per address), with
     * {@code authorization} as that header unless it is null.
     */
    /** The answer's status line, then its headers, one a line. */
    String statusLine(String method, String path, String authorization, String body, String from) throws Exception {
        byte[] b = body == null ? new byte[0] : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) client.sslContext().getSocketFactory()
                .createSocket()) {
            socket.bind(new java.net.InetSocketAddress(from, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder(in.readLine());
            for (String line; (line = in.readLine()) != null && !line.isEmpty();) {
                head.append('\n').append(line);
            }
            return head.toString();
        }
    }

    @Override
    public void close() throws Exception {
        VagothProcess.endProcessesOf(home);
    }
}
