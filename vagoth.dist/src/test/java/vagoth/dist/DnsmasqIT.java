package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * loopback address and an unprivileged port: provisioning devnode1 makes
 * {@code devnode1.vagoth.test} resolve to its address; deleting it makes the
 * name unknown again. Skipped with a message where dnsmasq is not installed,
 * except in CI (CI=true), where .ci/run installs it.
 */
@Timeout(300)
class DnsmasqIT {
    private static final Path DNSMASQ = Path.of("/usr/sbin/dnsmasq");
    @TempDir
    Path home;
    private Process dnsmasq;

    @AfterEach
    void stop() throws Exception {
        if (dnsmasq != null) {
            dnsmasq.destroy();
            dnsmasq.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String vagoth(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_DAEMON", "1"); // tests start the daemons they use
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", args) + ": " + err);
        return out;
    }

    @Test
    void provisionedNamesResolveThroughDnsmasqAndDeletedOnesDoNot() throws Exception {
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(Files.isExecutable(DNSMASQ), "dnsmasq test skipped: install dnsmasq-base to run it");
        }
        vagoth("list"); // creates the home with its defaults
        Path dir = Files.createDirectories(home.resolve("var/dnsmasq"));
        Path hosts = Files.writeString(dir.resolve("hosts"), "");
        Path dhcp = Files.writeString(dir.resolve("dhcp-hosts"), "");
        Path pid = dir.resolve("dnsmasq.pid");
        Path manager = home.resolve("etc/vagoth.manager.cfg");
        Files.writeString(manager, Files.readString(manager).replace("(vagoth.provisioner=basic)", "(vagoth.provisioner=template)"));
        Path cfg = home.resolve("etc/vagoth.provisioner.template.cfg");
        Files.writeString(cfg, Files.readString(cfg).replace("domain = vagoth.local", "domain = vagoth.test")
                .replace("dnsmasq.pidfile =", "dnsmasq.pidfile = " + pid));
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        dnsmasq = new ProcessBuilder(DNSMASQ.toString(), "--keep-in-foreground", "--conf-file=/dev/null",
                "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--addn-hosts=" + hosts, "--dhcp-hostsfile=" + dhcp, "--pid-file=" + pid, "--user=root",
                "--local=/vagoth.test/", "--log-facility=" + dir.resolve("dnsmasq.log"))
                .redirectErrorStream(true).start();
        for (int i = 0; i < 500 && !Files.exists(pid); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(pid), "dnsmasq did not start");
        assertEquals(Optional.empty(), resolve(port, "devnode1.vagoth.test"));

        assertEquals("new: OK (devnode1)", vagoth("new", "devnode1", "template=debian"));
        String ip = vagoth("info", "--json", "devnode1").lines().filter(l -> l.contains("\"ip\":")).findFirst()
                .orElseThrow().replaceAll(".*\"ip\": \"([0-9.]+)\".*", "$1");
        assertEquals("10.0.0.10", ip);
        assertEquals(Optional.of(ip), resolve(port, "devnode1.vagoth.test"));

        assertEquals("delete: OK (devnode1)", vagoth("delete", "devnode1"));
        assertEquals(Optional.empty(), resolve(port, "devnode1.vagoth.test"));
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
