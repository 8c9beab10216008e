package vagoth.provisioner.template.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import vagoth.api.Names;
import vagoth.api.provision.ProvisioningException;
import vagoth.support.io.Durable;
import vagoth.support.io.FileIo;
import vagoth.support.proc.Deadline;

/**
 * The dnsmasq side: one small file per VM in each of two directories that
 * dnsmasq reads by itself ({@code --dhcp-hostsdir} with {@code mac,ip,name},
 * {@code --hostsdir} with {@code ip name.domain name}), named by the VM's id,
 * written durably when the VM is provisioned or renamed and removed with it.
 * dnsmasq watches both directories (inotify): a new or changed file needs no
 * reload; only a removed or changed DHCP entry needs a SIGHUP, which is sent
 * when {@code dnsmasq.pidfile} is set and is a courtesy: a dnsmasq that is
 * down or cannot be signalled is warned about, never a reason to refuse, since
 * the files are the truth. A change costs the same with 10 VMs or 100,000.
 *
 * <p>A directory outside the home is made readable by others (0755, files
 * 0644), as dnsmasq reads it after dropping root; inside the home everything
 * stays owner-only.
 */
final class DnsmasqFiles {
    private static final System.Logger LOG = System.getLogger(DnsmasqFiles.class.getName());

    /** One host dnsmasq should know, by the VM's id. */
    record Host(String id, String name, String ip, String mac) {
    }

    private final Path dhcpDir;
    private final Path hostsDir;
    private final Path pidfile;
    private final String domain;
    private final boolean shared;

    @Override
    public String toString() {
        return dhcpDir + " and " + hostsDir;
    }

    /**
     * @param shared whether dnsmasq (another user) must read the files: directories 0755, files 0644
     */
    DnsmasqFiles(Path dhcpDir, Path hostsDir, Path pidfile, String domain, boolean shared) {
        this.dhcpDir = dhcpDir;
        this.hostsDir = hostsDir;
        this.pidfile = pidfile;
        this.domain = domain;
        this.shared = shared;
    }

    /** Writes {@code h}'s two files (a rename rewrites them); returns what reloading said, if it failed. */
    List<String> put(Host h) {
        boolean changed;
        try {
            changed = write(dhcpDir.resolve(h.id()), h.mac() + "," + h.ip() + "," + h.name() + "\n");
            write(hostsDir.resolve(h.id()), h.ip() + " " + h.name() + "." + domain + " " + h.name() + "\n");
        } catch (IOException e) {
            throw new ProvisioningException("Cannot write the dnsmasq files of " + h.id() + " in " + this + ": "
                    + e.getMessage(), h.id());
        }
        return changed ? reload() : List.of();
    }

    /** Removes {@code id}'s two files; returns what reloading said, if it failed. */
    List<String> remove(String id) {
        boolean removed;
        try {
            removed = Files.deleteIfExists(dhcpDir.resolve(id)) | Files.deleteIfExists(hostsDir.resolve(id));
        } catch (IOException e) {
            throw new ProvisioningException("Cannot remove the dnsmasq files of " + id + " from " + this + ": "
                    + e.getMessage(), id);
        }
        return removed ? reload() : List.of();
    }

    /**
     * Brings both directories in line with {@code hosts} (read from a registry
     * that opened): writes what is missing or different, removes files of VMs
     * that are gone. @return what it changed, for the operator
     */
    List<String> reconcile(List<Host> hosts) {
        List<String> out = new java.util.ArrayList<>();
        Set<String> ids = new HashSet<>();
        try {
            for (Host h : hosts) {
                ids.add(h.id());
                boolean a = write(dhcpDir.resolve(h.id()), h.mac() + "," + h.ip() + "," + h.name() + "\n");
                boolean b = write(hostsDir.resolve(h.id()), h.ip() + " " + h.name() + "." + domain + " " + h.name()
                        + "\n");
                if (a || b) {
                    out.add("the dnsmasq entries of " + h.name() + " had fallen behind the registry: rewritten");
                }
            }
            for (Path dir : List.of(dhcpDir, hostsDir)) {
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path f : ds) {
                        String id = f.getFileName().toString();
                        if (Names.isSafe(id) && !ids.contains(id) && !Durable.isTemporary(id)) {
                            Files.delete(f);
                            out.add("the dnsmasq entry " + f + " named no VM of the registry: removed");
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new ProvisioningException("Cannot bring the dnsmasq files in " + this + " in line: " + e.getMessage(),
                    null);
        }
        if (!out.isEmpty()) {
            out.addAll(reload());
        }
        return out;
    }

    /** Writes {@code text} to {@code file} durably unless it holds it already; returns whether it wrote. */
    private boolean write(Path file, String text) throws IOException {
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
            return false;
        }
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (shared) { // the configured directory and its two: dnsmasq, having dropped root, must get in
                Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        // readable before it takes its name: dnsmasq reads it the moment it appears
        Path tmp = Durable.temporaryFor(file);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            if (shared) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Durable.writeFully(ch, java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
        }
        Durable.move(FileIo.REAL, tmp, file);
        return true;
    }

    /**
     * Tells a running dnsmasq to drop what it read of removed or changed files
     * (SIGHUP). A courtesy: a failure is logged and returned as a warning.
     */
    private List<String> reload() {
        if (pidfile == null) {
            return List.of();
        }
        String why = signal();
        if (why == null) {
            return List.of();
        }
        String warning = "dnsmasq was not told to reload (" + why + "); its files are up to date and it reads new"
                + " ones by itself, but it keeps removed DHCP entries until it is reloaded";
        LOG.log(System.Logger.Level.WARNING, warning);
        return List.of(warning);
    }

    /** Sends SIGHUP to the pid in the pidfile; null when it went, else why not. */
    private String signal() {
        String pid;
        try {
            pid = Files.readString(pidfile).trim();
        } catch (IOException e) {
            return "its pidfile " + pidfile + " cannot be read: is dnsmasq running?";
        }
        if (!pid.matches("[0-9]{1,9}")) {
            return "its pidfile " + pidfile + " holds '" + vagoth.api.Printable.of(pid) + "', not a process id";
        }
        try {
            Deadline.Outcome o = Deadline.run(List.of("kill", "-HUP", pid), java.time.Duration.ofSeconds(10), 2000);
            return o.exitValue() == 0 ? null : "kill -HUP " + pid + " failed: " + o.output().strip();
        } catch (IOException e) {
            return "kill cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
