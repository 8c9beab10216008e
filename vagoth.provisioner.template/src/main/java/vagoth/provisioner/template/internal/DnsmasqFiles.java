package vagoth.provisioner.template.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import vagoth.api.provision.ProvisioningException;

import vagoth.support.io.Durable;
import vagoth.support.io.FileIo;
import vagoth.support.io.SharedFileLock;

/**
 * The dnsmasq side: a {@code dhcp-hostsfile} ({@code mac,ip,name}) and an
 * {@code addn-hosts} file ({@code ip name.domain name}), rewritten whole from
 * the registry, atomically, under a lock shared by every process; then a
 * running dnsmasq (its pid in the configured pidfile) is told to reload with
 * SIGHUP. Without a pidfile the files are only kept.
 */
final class DnsmasqFiles {
    /** One host dnsmasq should know. */
    record Host(String name, String ip, String mac) {
    }

    private final Path dhcpHosts;
    private final Path addnHosts;
    private final Path pidfile;
    private final String domain;

    @Override
    public String toString() {
        return dhcpHosts + " and " + addnHosts;
    }

    DnsmasqFiles(Path dhcpHosts, Path addnHosts, Path pidfile, String domain) {
        this.dhcpHosts = dhcpHosts;
        this.addnHosts = addnHosts;
        this.pidfile = pidfile;
        this.domain = domain;
    }

    /**
     * Rewrites both files from {@code hosts} (read under the lock, so the last
     * writer has the latest view) and reloads dnsmasq, unless they already say
     * exactly that.
     *
     * @return whether anything changed
     */
    boolean update(Supplier<List<Host>> hosts) {
        try {
            Files.createDirectories(dhcpHosts.getParent());
            Files.createDirectories(addnHosts.getParent());
            try (SharedFileLock lock = SharedFileLock.open(FileIo.REAL, dhcpHosts.resolveSibling(".dnsmasq.lock"));
                    SharedFileLock.Held l = lock.lock(false)) {
                StringBuilder dhcp = new StringBuilder("# written by Vagoth: mac,ip,name\n");
                StringBuilder dns = new StringBuilder("# written by Vagoth: ip fqdn name\n");
                for (Host h : hosts.get()) {
                    dhcp.append(h.mac()).append(',').append(h.ip()).append(',').append(h.name()).append('\n');
                    dns.append(h.ip()).append(' ').append(h.name()).append('.').append(domain).append(' ')
                            .append(h.name()).append('\n');
                }
                if (holds(dhcpHosts, dhcp) && holds(addnHosts, dns)) {
                    return false;
                }
                write(dhcpHosts, dhcp.toString());
                write(addnHosts, dns.toString());
            }
        } catch (IOException e) {
            throw new ProvisioningException("Cannot write the dnsmasq files " + dhcpHosts + " and " + addnHosts + ": "
                    + e.getMessage(), null);
        }
        reload();
        return true;
    }

    private static boolean holds(Path file, CharSequence text) throws IOException {
        return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contentEquals(text);
    }

    private static void write(Path target, String text) throws IOException {
        Durable.write(FileIo.REAL, target, text.getBytes(StandardCharsets.UTF_8));
    }

    private void reload() {
        if (pidfile == null) {
            return;
        }
        String pid;
        try {
            pid = Files.readString(pidfile).trim();
        } catch (IOException e) {
            throw new ProvisioningException("dnsmasq's pidfile " + pidfile + " cannot be read (is dnsmasq running?): "
                    + e.getMessage(), null);
        }
        if (!pid.matches("[0-9]{1,9}")) {
            throw new ProvisioningException("dnsmasq's pidfile " + pidfile + " holds '" + pid + "', not a process id", null);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-HUP", pid).redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new ProvisioningException("dnsmasq (pid " + pid + ") could not be told to reload: " + out, null);
            }
        } catch (IOException e) {
            throw new ProvisioningException("Cannot signal dnsmasq (pid " + pid + "): " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException("Interrupted while signalling dnsmasq", null);
        }
    }
}
