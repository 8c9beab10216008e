package vagoth.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * {@code bin/vagoth --remote https://HOST:PORT [--token-file F]
 * [--fingerprint SHA256 | --ca-file PEM] COMMAND...}: the command runs in a
 * remote daemon through its API ({@code POST /api/v1/command}) and prints
 * what it printed there, with its exit status. The token comes from
 * {@code VAGOTH_TOKEN} or the file; the server's certificate is pinned by
 * its SHA-256 fingerprint, or trusted from a CA file, or from the JDK's CAs.
 * {@code console VM} attaches this terminal: the daemon tells an operator
 * (or admin) how the VM's agent is reached ({@code console --where}), and the
 * agent runs here, as the local {@code vagoth console} runs it.
 */
final class RemoteClient {
    static final String FLAG = "--remote";
    private static final int FAILED = OneShot.FAILED;
    private static final int USAGE = OneShot.USAGE;

    private RemoteClient() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        String url = null;
        String tokenFile = null;
        String fingerprint = null;
        String caFile = null;
        List<String> command = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!command.isEmpty()) {
                command.add(a);
            } else if (a.equals(FLAG) || a.equals("--token-file") || a.equals("--fingerprint") || a.equals("--ca-file")) {
                if (i + 1 >= argv.length) {
                    err.println("vagoth: " + a + " needs a value");
                    return USAGE;
                }
                String v = argv[++i];
                switch (a) {
                    case FLAG -> url = v;
                    case "--token-file" -> tokenFile = v;
                    case "--fingerprint" -> fingerprint = v;
                    default -> caFile = v;
                }
            } else {
                command.add(a);
            }
        }
        if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
            err.println("vagoth: --remote takes the daemon's URL, https://HOST:PORT");
            return USAGE;
        }
        if (command.isEmpty()) {
            err.println("vagoth: --remote runs one command: vagoth --remote " + url + " list");
            return USAGE;
        }
        String token;
        try {
            token = tokenFile != null ? Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).strip()
                    : System.getenv("VAGOTH_TOKEN");
        } catch (IOException e) {
            err.println("vagoth: cannot read the token file " + tokenFile + ": " + e.getMessage());
            return FAILED;
        }
        if (token == null || token.isBlank()) {
            err.println("vagoth: --remote needs a token: set VAGOTH_TOKEN or give --token-file FILE"
                    + " ('vagoth token create' on the daemon's machine makes one)");
            return USAGE;
        }
        HttpClient client;
        try {
            client = client(fingerprint, caFile);
        } catch (IOException | GeneralSecurityException e) {
            err.println("vagoth: cannot set up TLS: " + e.getMessage());
            return FAILED;
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        Remote remote = new Remote(client, base, token);
        if (command.size() == 2 && command.get(0).equals("console") && !command.get(1).startsWith("-")) {
            // attached here: the daemon says (to an operator) how its agent is reached, and that runs here
            return SerialConsole.attach(command.toArray(String[]::new), (args, o, e) -> remote.call(List.of(args), o,
                    e), out, err);
        }
        return remote.call(command, out, err);
    }

    /** The daemon at {@code base}, asked with {@code token}. */
    private record Remote(HttpClient client, String base, String token) {
        /** Runs {@code command} there, prints what it printed, and returns its status. */
        int call(List<String> command, PrintStream out, PrintStream err) {
            String url = base;
            JsonObject body = new JsonObject();
            JsonArray args = new JsonArray();
            command.forEach(args::add);
            body.add("args", args);
            body.addProperty("color", Launcher.isTerminal());
            HttpRequest req;
            try {
                req = HttpRequest.newBuilder(URI.create(base + "/api/v1/command")).timeout(Duration.ofMinutes(10))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
            } catch (IllegalArgumentException e) {
                err.println("vagoth: not a URL: " + url);
                return USAGE;
            }
            HttpResponse<String> resp;
            try {
                resp = client.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (javax.net.ssl.SSLHandshakeException e) {
                err.println("vagoth: " + url + " is not trusted, nothing was sent: " + e.getMessage());
                return FAILED;
            } catch (java.net.ConnectException e) {
                err.println("vagoth: cannot connect to " + url + " (" + (e.getMessage() == null ? "refused"
                        : e.getMessage()) + "): is its daemon running, with its API there (etc/vagoth.http.cfg)?");
                return FAILED;
            } catch (IOException e) {
                err.println("vagoth: " + url + " did not answer (" + e.getMessage() + "): whether '" + String.join(" ",
                        command) + "' ran there is unknown; 'vagoth --remote " + url + " jobs' shows what it did");
                return OneShot.OUTCOME_UNKNOWN;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Interrupts.INTERRUPTED;
            }
            JsonObject answer;
            try {
                answer = JsonParser.parseString(resp.body()).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                err.println("vagoth: " + url + " answered " + resp.statusCode() + ", not as a Vagoth daemon does");
                return FAILED;
            }
            if (resp.statusCode() != 200) {
                err.println("vagoth: " + url + " refused '" + String.join(" ", command) + "' (" + resp.statusCode()
                        + "): " + (answer.has("error") ? answer.get("error").getAsString() : resp.body()));
                return resp.statusCode() == 400 ? USAGE : FAILED;
            }
            out.print(answer.get("out").getAsString());
            out.flush();
            err.print(answer.get("err").getAsString());
            err.flush();
            return answer.get("status").getAsInt();
        }
    }

    private static HttpClient client(String fingerprint, String caFile) throws IOException, GeneralSecurityException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (fingerprint != null) {
            // pinned: the certificate is the one named, whatever host name it carries
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new Pinned(fingerprint)}, null);
            b.sslContext(tls);
        } else if (caFile != null) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                int n = 0;
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca" + n++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            b.sslContext(tls);
        }
        return b.build();
    }

    /** Trusts the one certificate whose SHA-256 fingerprint is the one given (colons and case do not matter). */
    private static final class Pinned implements X509TrustManager {
        private final String fingerprint;

        Pinned(String fingerprint) {
            this.fingerprint = fingerprint.replace(":", "").toLowerCase(Locale.ROOT);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                String seen = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
                if (!MessageDigest.isEqual(seen.getBytes(StandardCharsets.US_ASCII),
                        fingerprint.getBytes(StandardCharsets.US_ASCII))) {
                    throw new CertificateException("the server's certificate is not the pinned one (its SHA-256"
                            + " fingerprint is " + seen + ")");
                }
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new CertificateException(e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
