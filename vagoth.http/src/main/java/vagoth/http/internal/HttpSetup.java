package vagoth.http.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import vagoth.api.Installation;
import vagoth.api.VagothException;

/**
 * Serves the API where {@code etc/vagoth.http.cfg} says: it gives Felix
 * HTTP (Jetty, in this container only when it is the daemon) its
 * configuration, HTTPS on TLS 1.2 or 1.3 with the operator's keystore or a
 * self-signed one made on the first start, whose fingerprint it prints.
 * Without a configuration Felix HTTP listens nowhere (the launcher's
 * framework properties turn both connectors off).
 */
@Component(configurationPid = HttpSetup.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = HttpConfig.class)
public final class HttpSetup {
    static final String PID = "vagoth.http";
    /** Felix HTTP's configuration. */
    static final String FELIX_HTTP = "org.apache.felix.http";
    private static final System.Logger LOG = System.getLogger(HttpSetup.class.getName());
    /** Where the API says where it serves: the API's own log, kept at INFO (the rest of the log says warnings). */
    private static final System.Logger SERVED = System.getLogger("vagoth.api");

    /** TLS 1.3's suites, and TLS 1.2's with forward secrecy and authenticated encryption only (no CBC). */
    static final java.util.List<String> AEAD_SUITES = java.util.List.of("TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final ConfigurationAdmin admin;
    private final Path home;

    @Activate
    public HttpSetup(@Reference ConfigurationAdmin admin, BundleContext context, HttpConfig config) {
        this.admin = admin;
        String h = context.getProperty(Installation.HOME_PROPERTY);
        if (h == null || h.isBlank()) {
            throw new VagothException("the remote API has no home: set vagoth.home");
        }
        this.home = Path.of(h);
        apply(config);
    }

    @Modified
    void modified(HttpConfig config) {
        apply(config);
    }

    @Deactivate
    void deactivate() throws IOException {
        admin.getConfiguration(FELIX_HTTP, "?").delete();
    }

    /** Where the API was last served by this daemon ({@code bind:port}), or null. */
    private String serving;

    /**
     * Whether {@code bind:port} can be listened on now: null when it can, else
     * why not. Another process holding the port would otherwise be sent the
     * tokens of every client while this daemon says it serves.
     */
    static String unavailable(String bind, int port) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(bind, port));
            return null;
        } catch (IOException e) {
            return bind + ":" + port + " cannot be listened on (" + e.getMessage() + "): another process holds it?";
        }
    }

    /** What the daemon says of its API, for 'vagoth daemon status': {@code var/run/api.state}. */
    private void state(String text) {
        try {
            java.nio.file.Path f = home.resolve("var").resolve("run").resolve("api.state");
            java.nio.file.Files.createDirectories(f.getParent());
            vagoth.support.io.Durable.write(vagoth.support.io.FileIo.REAL, f,
                    (text + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot record the API's state: " + e.getMessage());
        }
    }

    private void apply(HttpConfig config) {
        String at = config.bind() + ":" + config.port();
        String why = at.equals(serving) ? null : unavailable(config.bind(), config.port());
        if (why != null) {
            Dictionary<String, Object> off = new Hashtable<>();
            off.put("org.apache.felix.http.enable", "false");
            off.put("org.apache.felix.https.enable", "false");
            try {
                admin.getConfiguration(FELIX_HTTP, "?").update(off);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot turn the HTTP server off: " + e.getMessage());
            }
            serving = null;
            // in var/log/vagoth.log and, through the console's handler, daemon.out
            LOG.log(System.Logger.Level.ERROR, "the remote API is NOT served: " + why
                    + "; set another port in etc/vagoth.http.cfg");
            state("not served: " + why);
            return;
        }
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("org.apache.felix.http.host", config.bind());
        d.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        // a body over the API's limit is answered 413 by the API; Jetty only cuts off one far over it
        d.put("org.apache.felix.http.jetty.requestSizeLimit", String.valueOf(4L * Body.MAX_BYTES));
        d.put("org.apache.felix.http.mbeans", "false");
        d.put("org.apache.felix.http.timeout", String.valueOf(config.idle_timeout_s() * 1000L));
        d.put("org.apache.felix.http.jetty.threadpool.max", String.valueOf(config.threads()));
        String where;
        if (config.tls()) {
            TlsKeystore ks = keystore(config);
            d.put("org.apache.felix.http.enable", "false");
            d.put("org.apache.felix.https.enable", "true");
            d.put("org.osgi.service.http.port.secure", String.valueOf(config.port()));
            d.put("org.apache.felix.https.keystore", ks.file().toString());
            d.put("org.apache.felix.https.keystore.type", "PKCS12");
            d.put("org.apache.felix.https.keystore.password", ks.password());
            d.put("org.apache.felix.https.keystore.key.password", ks.password());
            d.put("org.apache.felix.https.jetty.protocols.included", "TLSv1.3,TLSv1.2");
            d.put("org.apache.felix.https.jetty.protocols.excluded", "SSLv3,TLSv1,TLSv1.1");
            d.put("org.apache.felix.https.jetty.ciphersuites.included", String.join(",", AEAD_SUITES));
            where = "https://" + config.bind() + ":" + config.port() + "/api/v1 (certificate " + ks.file()
                    + ", SHA-256 fingerprint " + ks.fingerprint() + ")";
        } else {
            d.put("org.apache.felix.http.enable", "true");
            d.put("org.apache.felix.https.enable", "false");
            d.put("org.osgi.service.http.port", String.valueOf(config.port()));
            where = "http://" + config.bind() + ":" + config.port() + "/api/v1 (plain HTTP: tls=false in"
                    + " etc/vagoth.http.cfg)";
        }
        try {
            Configuration c = admin.getConfiguration(FELIX_HTTP, "?");
            c.update(d);
        } catch (IOException e) {
            throw new VagothException("cannot configure the HTTP server: " + e.getMessage(), null, e);
        }
        serving = at;
        SERVED.log(System.Logger.Level.INFO, "the remote API is served at " + where); // the log and daemon.out
        state("served at " + where);
    }

    private TlsKeystore keystore(HttpConfig config) {
        if (!config.keystore().isBlank()) {
            TlsKeystore own = new TlsKeystore(home.resolve("etc").resolve(config.keystore()), config.keystore_password());
            own.fingerprint(); // a wrong path or password is said now, naming the file
            return own;
        }
        return TlsKeystore.selfSigned(home.resolve("etc").resolve("tls"), config.bind());
    }
}
