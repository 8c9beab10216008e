package vagoth.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import vagoth.api.VagothException;

/**
 * The API's certificate: an operator's own keystore, or a self-signed one
 * made on the first start in {@code etc/tls/} (owner-only) with the JDK's
 * {@code keytool}, its password in a file beside it.
 *
 * @param file     a PKCS#12 keystore
 * @param password its password, which is also its key's
 */
record TlsKeystore(Path file, String password) {
    static final String FILE = "vagoth.p12";
    static final String PASSWORD_FILE = "vagoth.p12.password";

    /**
     * The self-signed keystore in {@code dir}, made now if there is none (for
     * this host's name, {@code localhost}, 127.0.0.1 and {@code bind} when it
     * is one address). @return it, and whether it was made now
     */
    static TlsKeystore selfSigned(Path dir, String bind) {
        Path file = dir.resolve(FILE);
        Path passwordFile = dir.resolve(PASSWORD_FILE);
        try {
            if (Files.exists(file) && Files.exists(passwordFile)) {
                return new TlsKeystore(file, Files.readString(passwordFile, StandardCharsets.UTF_8).trim());
            }
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path tmp = dir.resolve("." + FILE + ".tmp");
            Files.deleteIfExists(tmp);
            String host = hostName();
            List<String> san = new ArrayList<>(List.of("dns:localhost", "ip:127.0.0.1", "dns:" + host));
            if (!bind.equals("0.0.0.0") && !bind.equals("::") && !bind.equals("127.0.0.1")) {
                san.add((bind.matches("[0-9.]+|.*:.*") ? "ip:" : "dns:") + bind);
            }
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            ProcessBuilder pb = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "vagoth", "-keyalg",
                    "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "825",
                    "-dname", "CN=" + host + ", O=Vagoth", "-ext", "SAN=" + String.join(",", san),
                    "-storetype", "PKCS12", "-keystore", tmp.toString(), "-storepass:env", "VAGOTH_KEYSTORE_PASSWORD",
                    "-keypass:env", "VAGOTH_KEYSTORE_PASSWORD").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("VAGOTH_KEYSTORE_PASSWORD", password); // never on a command line others can read
            Process p = pb.start();
            String said;
            try (InputStream out = p.getInputStream()) {
                said = new String(out.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(tmp)) {
                p.destroyForcibly();
                throw new VagothException("cannot make the API's certificate with " + keytool + ": " + said);
            }
            Path tmpPassword = dir.resolve("." + PASSWORD_FILE + ".tmp");
            Files.writeString(tmpPassword, password + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmpPassword, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmpPassword, passwordFile, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return new TlsKeystore(file, password);
        } catch (IOException e) {
            throw new VagothException("cannot make the API's certificate in " + dir + ": " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VagothException("interrupted while making the API's certificate");
        }
    }

    /**
     * The SHA-256 fingerprint of the keystore's first certificate
     * ({@code AB:CD:...}), what a client pins.
     */
    String fingerprint() {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            for (Enumeration<String> aliases = ks.aliases(); aliases.hasMoreElements();) {
                Certificate c = ks.getCertificate(aliases.nextElement());
                if (c != null) {
                    byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
                    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
                }
            }
            throw new VagothException(file + " holds no certificate");
        } catch (IOException | GeneralSecurityException e) {
            throw new VagothException("cannot read the keystore " + file + " (is its password right?): "
                    + e.getMessage(), null, e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "localhost";
        }
    }
}
