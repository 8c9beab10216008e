package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

/**
 * The template provisioner with a real dnsmasq (Debian's dnsmasq-base) on a
 * loopback address and an unprivileged port, started as the README says
 * (dropping root to {@code nobody}, reading the directories Vagoth keeps
 * outside the home): provisioning devnode1 makes {@code devnode1.vagoth.test}
 * resolve to its address with no reload; a rename moves the name at once;
 * deleting it makes the name unknown again; a dnsmasq that is down is a
 * warning, not a refusal. Skipped with a message where dnsmasq is not installed,
 * except in CI (CI=true), where .ci/run installs it.
 */
@Timeout(300)
class DnsmasqIT {
    private static final Path DNSMASQ = Path.of("/usr/sbin/dnsmasq");
    @TempDir
    Path home;
    private Process dnsmasq;
    /** Outside the home, readable by dnsmasq once it dropped root (JUnit's temporary directories are not). */
    private Path shared;

    @AfterEach
    void stop() throws Exception {
        if (dnsmasq != null) {
            dnsmasq.destroy();
            dnsmasq.waitFor(10, TimeUnit.SECONDS);
        }
        if (shared != null) {
            try (java.util.stream.Stream<Path> files = Files.walk(shared)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private String vagoth(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        VagothProcess.Result r = VagothProcess.ended(pb.start(), 120, "bin/vagoth " + String.join(" ", args));
        assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
        return r.out().strip();
    }

    @Test
    void provisionedNamesResolveThroughDnsmasqAndDeletedOnesDoNot() throws Exception {
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(Files.isExecutable(DNSMASQ), "dnsmasq test skipped: install dnsmasq-base to run it");
        }
        vagoth("list"); // creates the home with its defaults
        shared = Files.createTempDirectory("vagoth-dnsmasq-");
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = shared.resolve("vagoth");
        Path pid = shared.resolve("dnsmasq.pid");
        Path manager = home.resolve("etc/vagoth.manager.cfg");
        Files.writeString(manager, Files.readString(manager).replace("(vagoth.provisioner=basic)", "(vagoth.provisioner=template)"));
        Path cfg = home.resolve("etc/vagoth.provisioner.template.cfg");
        Files.writeString(cfg, Files.readString(cfg).replace("domain = vagoth.local", "domain = vagoth.test")
                .replace("dnsmasq.dir =", "dnsmasq.dir = " + dir).replace("dnsmasq.pidfile =", "dnsmasq.pidfile = " + pid));
        assertEquals("new: OK (first)", vagoth("new", "first", "template=debian")); // makes the directories
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // the README's command line, with a test port and address
        dnsmasq = new ProcessBuilder(DNSMASQ.toString(), "--keep-in-foreground", "--conf-file=/dev/null",
                "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--user=nobody", "--hostsdir=" + dir.resolve("hosts.d"), "--dhcp-hostsdir=" + dir.resolve("dhcp-hosts.d"),
                "--pid-file=" + pid, "--local=/vagoth.test/", "--log-facility=" + shared.resolve("dnsmasq.log"))
                .redirectErrorStream(true).start();
        for (int i = 0; i < 500 && !Files.exists(pid); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(pid), "dnsmasq did not start");
        assertEquals(Optional.of("10.0.0.10"), eventually(port, "first.vagoth.test", true));
        assertEquals(Optional.empty(), resolve(port, "devnode1.vagoth.test"));

        assertEquals("new: OK (devnode1)", vagoth("new", "devnode1", "template=debian"));
        String ip = JsonText.find(JsonText.object(vagoth("info", "--json", "devnode1")), "ip").getAsString();
        assertEquals("10.0.0.11", ip);
        assertEquals(Optional.of(ip), eventually(port, "devnode1.vagoth.test", true), "read by dnsmasq by itself");
        String log = Files.readString(shared.resolve("dnsmasq.log"));
        assertFalse(log.contains("Permission denied"), log);

        assertEquals("rename: OK (devnode2)", vagoth("rename", "devnode1", "devnode2"));
        assertEquals(Optional.of(ip), eventually(port, "devnode2.vagoth.test", true), "the new name at once");
        assertEquals(Optional.empty(), eventually(port, "devnode1.vagoth.test", false), "the old name gone at once");
        assertTrue(vagoth("info", "devnode2").contains("fqdn=devnode2.vagoth.test"));

        assertEquals("delete: OK (devnode2)", vagoth("delete", "devnode2"));
        assertEquals(Optional.empty(), eventually(port, "devnode2.vagoth.test", false));

        dnsmasq.destroy(); // dnsmasq is down: its files are still the truth, and nothing is refused
        dnsmasq.waitFor(10, TimeUnit.SECONDS);
        Files.writeString(pid, "999999999\n");
        assertEquals("new: OK (devnode3)", vagoth("new", "devnode3", "template=debian"));
        assertEquals("delete: OK (devnode3)", vagoth("delete", "devnode3"));
    }

    /** Asks until the name resolves ({@code present}) or stops resolving; dnsmasq reads changed files by itself. */
    private static Optional<String> eventually(int port, String name, boolean present) throws Exception {
        Optional<String> got = resolve(port, name);
        for (int i = 0; i < 100 && got.isPresent() != present; i++) {
            Thread.sleep(50);
            got = resolve(port, name);
        }
        return got;
    }

    /** One DNS query for an A record; the address, or empty when the name does not resolve. */
    static Optional<String> resolve(int port, String name) throws Exception {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            q.write(label.length());
            q.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.writeBytes(new byte[] {0, 0, 1, 0, 1});
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(3000);
            byte[] req = q.toByteArray();
            s.send(new DatagramPacket(req, req.length, InetAddress.getLoopbackAddress(), port));
            byte[] buf = new byte[512];
            DatagramPacket answer = new DatagramPacket(buf, buf.length);
            s.receive(answer);
            ByteBuffer b = ByteBuffer.wrap(buf, 0, answer.getLength());
            int rcode = b.get(3) & 0x0f;
            int answers = b.getShort(6) & 0xffff;
            if (rcode != 0 || answers == 0) {
                return Optional.empty();
            }
            int pos = req.length; // the question is echoed back as sent
            for (int i = 0; i < answers; i++) {
                pos += (buf[pos] & 0xc0) == 0xc0 ? 2 : skipName(buf, pos);
                int type = b.getShort(pos) & 0xffff;
                int len = b.getShort(pos + 8) & 0xffff;
                if (type == 1 && len == 4) {
                    return Optional.of((buf[pos + 10] & 255) + "." + (buf[pos + 11] & 255) + "." + (buf[pos + 12] & 255)
                            + "." + (buf[pos + 13] & 255));
                }
                pos += 10 + len;
            }
            return Optional.empty();
        }
    }

    private static int skipName(byte[] buf, int pos) {
        int start = pos;
        while (buf[pos] != 0) {
            pos += (buf[pos] & 255) + 1;
        }
        return pos + 1 - start;
    }
}
