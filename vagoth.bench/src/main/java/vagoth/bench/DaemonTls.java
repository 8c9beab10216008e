package vagoth.bench;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** An HTTPS client for a daemon's API that trusts only the certificate the daemon made for itself. */
final class DaemonTls {
    private DaemonTls() {
    }

    static HttpClient client(Path home) throws Exception {
        return HttpClient.newBuilder().sslContext(context(home)).build();
    }

    /** A TLS context that trusts only the certificate of the daemon of {@code home}. */
    static SSLContext context(Path home) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(home.resolve("etc/tls/vagoth.p12"))) {
            ks.load(in, Files.readString(home.resolve("etc/tls/vagoth.p12.password")).trim().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }
}
