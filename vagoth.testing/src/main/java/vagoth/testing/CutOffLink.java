package vagoth.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of a test's own, joined to this machine by a virtual
 * link (veth) on a private /30, so that a process started in it can be cut
 * off from this machine's servers and let back, as by a network partition:
 * its packets are dropped, not refused. Needs root (CAP_NET_ADMIN) and
 * {@code ip}; everything it made is removed on close.
 */
public final class CutOffLink implements AutoCloseable {
    private final String namespace;
    private final String hostSide;
    private final String subnet;

    private CutOffLink(String namespace, String hostSide, String subnet) {
        this.namespace = namespace;
        this.hostSide = hostSide;
        this.subnet = subnet;
    }

    /**
     * Makes the namespace and its link.
     *
     * @throws IOException when this machine does not allow it (not root, no {@code ip}, no namespaces)
     */
    public static CutOffLink create() throws IOException, InterruptedException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String tag = Integer.toString(r.nextInt(36 * 36 * 36 * 36), 36);
        String subnet = "10." + (100 + r.nextInt(100)) + "." + r.nextInt(256) + "." + (4 * r.nextInt(64));
        CutOffLink link = new CutOffLink("vagoth-cut-" + tag, "vgc" + tag + "h", subnet);
        try {
            link.ip("netns", "add", link.namespace);
            link.ip("link", "add", link.hostSide, "type", "veth", "peer", "name", link.peerSide());
            link.ip("link", "set", link.peerSide(), "netns", link.namespace);
            link.ip("addr", "add", link.hostAddress() + "/30", "dev", link.hostSide);
            link.ip("link", "set", link.hostSide, "up");
            link.ip("netns", "exec", link.namespace, "ip", "addr", "add", link.address(2) + "/30", "dev", link.peerSide());
            link.ip("netns", "exec", link.namespace, "ip", "link", "set", link.peerSide(), "up");
            link.ip("netns", "exec", link.namespace, "ip", "link", "set", "lo", "up");
            return link;
        } catch (IOException | InterruptedException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    private String peerSide() {
        return hostSide.substring(0, hostSide.length() - 1) + "n";
    }

    private String address(int n) {
        int dot = subnet.lastIndexOf('.');
        return subnet.substring(0, dot + 1) + (Integer.parseInt(subnet.substring(dot + 1)) + n);
    }

    /** This machine's end of the link: where a server listens for the namespace's processes. */
    public String hostAddress() {
        return address(1);
    }

    /** The link's network, CIDR. */
    public String network() {
        return subnet + "/30";
    }

    /** The command line that runs {@code command} inside the namespace. */
    public List<String> inside(List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(command);
        return all;
    }

    /** Cuts the link: packets either way are dropped from now on. */
    public void cut() throws IOException, InterruptedException {
        ip("link", "set", hostSide, "down");
    }

    /** Lets the namespace's packets through again. */
    public void heal() throws IOException, InterruptedException {
        ip("link", "set", hostSide, "up");
    }

    private void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        try {
            ip("link", "del", hostSide);
        } catch (IOException | InterruptedException e) {
            // not made, or gone with the namespace
        }
        try {
            ip("netns", "del", namespace);
        } catch (IOException | InterruptedException e) {
            // not made
        }
    }
}
