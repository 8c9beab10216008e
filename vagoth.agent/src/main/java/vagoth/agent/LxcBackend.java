package vagoth.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;

import vagoth.support.proc.Deadline;

/**
 * Real LXC containers through the {@code lxc-*} tools, each run as an argv
 * (never through a shell) with a timeout. The definition is kept beside the
 * container ({@code <lxcpath>/<name>/vagoth-definition.json}) so that
 * {@code status} can return it. A container has no network unless its
 * definition names a {@code bridge}; {@code ram} (MB) becomes its memory limit.
 * {@code undefine} keeps the container's disk (its rootfs): the container's
 * config is set aside ({@code config.undefined}), so LXC no longer knows it,
 * and a later {@code define} of the same name takes it back, disk and all.
 * Only {@code deprovision} destroys a disk.
 */
final class LxcBackend implements Backend {
    private static final Gson GSON = new Gson();
    private static final String DEFINITION_FILE = "vagoth-definition.json";
    private static final long TOOL_TIMEOUT_S = 120;
    /** What is kept of a tool's output and of its errors, each (the rest is read and dropped). */
    private static final int MAX_OUTPUT = 4 << 20;
    private static final int SHUTDOWN_TIMEOUT_S = 30;
    private static final long UNPACK_TIMEOUT_S = 600;
    private final Path lxcpath;

    LxcBackend(Path lxcpath) throws AgentException {
        this.lxcpath = lxcpath;
        try {
            Files.createDirectories(lxcpath);
        } catch (IOException e) {
            throw new AgentException("lxcpath", "cannot create LXC path " + lxcpath + ": " + e.getMessage());
        }
    }

    private record Result(int status, String out, String err) {
    }

    private Result lxc(String tool, String... args) throws AgentException {
        List<String> cmd = new ArrayList<>(List.of(tool, "-P", lxcpath.toString()));
        cmd.addAll(List.of(args));
        try {
            Deadline.Outcome o = Deadline.runApart(cmd, Duration.ofSeconds(TOOL_TIMEOUT_S), MAX_OUTPUT);
            if (o.timedOut()) {
                throw new AgentException("timeout", tool + " did not finish within " + TOOL_TIMEOUT_S + " s (ended)");
            }
            return new Result(o.exitValue(), o.output().trim(), o.errors().trim());
        } catch (IOException e) {
            throw new AgentException("lxc_missing", "cannot run " + tool + " (is LXC installed?): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted", tool + " was interrupted");
        }
    }

    private void check(Result r, String what) throws AgentException {
        if (r.status() != 0) {
            throw new AgentException("lxc_failed", what + " failed (status " + r.status() + "): "
                    + (r.err().isEmpty() ? r.out() : r.err()));
        }
    }

    private static final String SET_ASIDE = "config.undefined";

    private boolean exists(String name) {
        return Files.isRegularFile(lxcpath.resolve(name).resolve("config"));
    }

    /** Whether an undefined container's disk is kept here. */
    private boolean kept(String name) {
        return Files.isRegularFile(lxcpath.resolve(name).resolve(SET_ASIDE));
    }

    private void move(String name, String from, String to) throws AgentException {
        try {
            Files.move(lxcpath.resolve(name).resolve(from), lxcpath.resolve(name).resolve(to),
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot rename " + from + " of " + name + ": " + e.getMessage());
        }
    }

    private void requireDefined(String name) throws AgentException {
        if (!exists(name)) {
            throw new AgentException("not_defined", "container " + name + " is not defined in " + lxcpath);
        }
    }

    @Override
    public void define(String name, Map<String, String> definition) throws AgentException {
        if (!exists(name) && kept(name)) {
            move(name, SET_ASIDE, "config"); // its disk was kept when it was undefined
        }
        if (exists(name)) {
            saveDefinition(name, definition);
            return;
        }
        String bridge = GuestNetwork.bridge(name, definition);
        String mac = GuestNetwork.mac(name, definition);
        String image = definition.get("image");
        List<String> base;
        if (image != null && !image.isBlank()) {
            base = createFromImage(name, image, definition);
        } else {
            String template = definition.getOrDefault("template", "busybox");
            if (!template.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
                throw new AgentException("bad_definition", "template '" + template + "' is not a valid template name");
            }
            check(lxc("lxc-create", "-n", name, "-t", template), "lxc-create of " + name);
            base = List.of();
        }
        Path config = lxcpath.resolve(name).resolve("config");
        try {
            StringBuilder extra = new StringBuilder("\n# added by vagoth-agent\n");
            base.forEach(l -> extra.append(l).append('\n'));
            List<String> lines = new ArrayList<>(Files.readAllLines(config));
            lines.removeIf(l -> l.trim().startsWith("lxc.net."));
            if (bridge != null) {
                extra.append("lxc.net.0.type = veth\nlxc.net.0.link = ").append(bridge).append("\nlxc.net.0.flags = up\n");
                if (mac != null) {
                    extra.append("lxc.net.0.hwaddr = ").append(mac).append('\n');
                }
            } else {
                extra.append("lxc.net.0.type = empty\n");
            }
            String ram = definition.get("ram");
            if (ram != null && ram.matches("[0-9]{1,9}")) {
                extra.append("lxc.cgroup2.memory.max = ").append(ram).append("M\n");
            }
            Files.writeString(config, String.join("\n", lines) + extra);
            authorize(name, GuestNetwork.authorizedKeys(definition));
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot configure container " + name + ": " + e.getMessage());
        }
        saveDefinition(name, definition);
    }

    /**
     * A container whose rootfs is the definition's {@code image}, a tarball of
     * a root file system (as Proxmox's container templates are; compressed or
     * not, as tar reads it), unpacked beside the rootfs and renamed into place.
     * Its init is the image's {@code /sbin/init}, halted as busybox's init is
     * ({@code SIGUSR1}) unless the definition says {@code halt_signal}.
     * Returns the config lines an image brings no config for.
     */
    private List<String> createFromImage(String name, String image, Map<String, String> definition)
            throws AgentException {
        String halt = definition.getOrDefault("halt_signal", "SIGUSR1");
        if (!halt.matches("SIG[A-Z0-9+]{2,12}")) {
            throw new AgentException("bad_definition", name + ": halt_signal=" + halt + " is not a signal's name"
                    + " (e.g. SIGPWR)");
        }
        Path tarball = Path.of(image);
        if (!tarball.isAbsolute() || !Files.isRegularFile(tarball)) {
            throw new AgentException("bad_definition", name + ": image=" + image + " is not a file on this host (an"
                    + " absolute path to a root file system's tarball)");
        }
        check(lxc("lxc-create", "-n", name, "-t", "none"), "lxc-create of " + name);
        Path dir = lxcpath.resolve(name).toAbsolutePath();
        Path unpacking = dir.resolve("rootfs.unpacking");
        try {
            Files.createDirectories(unpacking);
            Deadline.Outcome o = Deadline.runApart(List.of("tar", "-x", "--numeric-owner", "-f", image, "-C",
                    unpacking.toString()), Duration.ofSeconds(UNPACK_TIMEOUT_S), MAX_OUTPUT);
            if (o.timedOut() || o.exitValue() != 0) {
                throw new AgentException("bad_image", name + ": cannot unpack " + image + ": " + (o.timedOut()
                        ? "tar did not finish within " + UNPACK_TIMEOUT_S + " s" : o.errors().strip()));
            }
            if (!Files.exists(unpacking.resolve("sbin/init"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new AgentException("bad_image", name + ": " + image + " has no /sbin/init: not a root file"
                        + " system's tarball");
            }
            Files.move(unpacking, dir.resolve("rootfs"), StandardCopyOption.ATOMIC_MOVE);
        } catch (AgentException | IOException e) {
            lxc("lxc-destroy", "-n", name);
            Trees.deleteLeaving(dir);
            throw e instanceof AgentException a ? a : new AgentException("io_error", "cannot unpack " + image
                    + " for " + name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lxc("lxc-destroy", "-n", name);
            throw new AgentException("interrupted", "unpacking " + image + " was interrupted");
        }
        return List.of("lxc.include = /usr/share/lxc/config/common.conf", "lxc.arch = linux64",
                "lxc.rootfs.path = dir:" + dir.resolve("rootfs"), "lxc.uts.name = " + name,
                "lxc.signal.halt = " + halt);
    }

    /** Root's authorized keys in the container's rootfs (what a NoCloud seed does for a VM). */
    private void authorize(String name, List<String> keys) throws IOException {
        if (keys.isEmpty()) {
            return;
        }
        Path ssh = lxcpath.resolve(name).resolve("rootfs/root/.ssh");
        Files.createDirectories(ssh);
        Files.setPosixFilePermissions(ssh, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path keysFile = ssh.resolve("authorized_keys");
        Files.writeString(keysFile, String.join("\n", keys) + "\n");
        Files.setPosixFilePermissions(keysFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    private void saveDefinition(String name, Map<String, String> definition) throws AgentException {
        Path f = lxcpath.resolve(name).resolve(DEFINITION_FILE);
        try {
            Path tmp = f.resolveSibling(DEFINITION_FILE + ".tmp");
            Files.writeString(tmp, GSON.toJson(new TreeMap<>(definition)));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot save the definition of " + name + ": " + e.getMessage());
        }
    }

    private Map<String, String> loadDefinition(String name) {
        try {
            Map<String, String> d = GSON.fromJson(Files.readString(lxcpath.resolve(name).resolve(DEFINITION_FILE)),
                    new TypeToken<Map<String, String>>() { }.getType());
            return d == null ? Map.of() : d;
        } catch (IOException | JsonParseException e) {
            return Map.of();
        }
    }

    @Override
    public void provision(String name, Map<String, String> definition) throws AgentException {
        define(name, definition);
    }

    @Override
    public void undefine(String name) throws AgentException {
        requireDefined(name);
        if (state(name).equals("running")) {
            throw new AgentException("vm_running", "container " + name + " is running; stop it before undefining it");
        }
        move(name, "config", SET_ASIDE); // LXC forgets it; its disk stays
    }

    @Override
    public void deprovision(String name) throws AgentException {
        if (!exists(name) && kept(name)) {
            move(name, SET_ASIDE, "config"); // so that lxc-destroy wipes the disk kept at undefine
        }
        requireDefined(name);
        if (state(name).equals("running")) {
            check(lxc("lxc-stop", "-n", name, "-k"), "lxc-stop of " + name);
        }
        check(lxc("lxc-destroy", "-n", name), "lxc-destroy of " + name);
    }

    @Override
    public void start(String name) throws AgentException {
        requireDefined(name);
        check(lxc("lxc-start", "-n", name, "-d"), "lxc-start of " + name);
    }

    @Override
    public void stop(String name) throws AgentException {
        requireDefined(name);
        check(lxc("lxc-stop", "-n", name, "-k"), "lxc-stop of " + name);
    }

    @Override
    public void shutdown(String name) throws AgentException {
        requireDefined(name);
        check(lxc("lxc-stop", "-n", name, "-t", String.valueOf(SHUTDOWN_TIMEOUT_S)), "lxc-stop of " + name);
    }

    @Override
    public void reboot(String name) throws AgentException {
        requireDefined(name);
        check(lxc("lxc-stop", "-n", name, "-r"), "reboot of " + name);
    }

    private String state(String name) throws AgentException {
        Result r = lxc("lxc-info", "-n", name, "-s", "-H");
        check(r, "lxc-info of " + name);
        return switch (r.out().trim().toUpperCase(java.util.Locale.ROOT)) {
            case "RUNNING" -> "running";
            case "STOPPED" -> "stopped";
            case "FROZEN" -> "paused";
            default -> "unknown";
        };
    }

    @Override
    public Info info(String name) throws AgentException {
        requireDefined(name);
        String s = state(name);
        return new Info(loadDefinition(name), s, s);
    }

    @Override
    public Status status() throws AgentException {
        Result r = lxc("lxc-ls", "-1");
        check(r, "lxc-ls");
        Map<String, Info> vms = new TreeMap<>();
        for (String name : r.out().split("\\s+")) {
            if (!name.isBlank() && name.matches(Agent.NAME)) {
                vms.put(name, info(name));
            }
        }
        return new Status(vms, HostFacts.read());
    }

    @Override
    public void migrate(String name, String destination) throws AgentException {
        throw new AgentException("not_supported", "live migration is not supported; Vagoth migrates cold");
    }

    /** A stopped container's directory (its config, definition and rootfs), packed as it is. */
    @Override
    public Export export(String name) throws AgentException {
        requireDefined(name);
        if (!state(name).equals("stopped")) {
            throw new AgentException("vm_running", "container " + name + " is not stopped; stop it before exporting"
                    + " its disk");
        }
        Path dir = lxcpath.resolve(name).toAbsolutePath();
        return new Export(loadDefinition(name), dir.toString(), Trees.pack(dir));
    }

    /**
     * Unpacks into {@code <lxcpath>/.vagoth-import-<name>}; at commit the
     * config's paths that named the source's directory name this one, and the
     * directory takes its place (one rename): LXC sees the container whole or
     * not at all.
     */
    @Override
    public Import importing(String name, Map<String, String> definition, String sourcePath) throws AgentException {
        Path target = lxcpath.resolve(name).toAbsolutePath();
        if (Files.exists(target)) {
            throw new AgentException("exists", "a container " + name + " (or its kept disk) is in " + lxcpath
                    + " already; nothing was imported");
        }
        Path staging = lxcpath.resolve(".vagoth-import-" + name).toAbsolutePath();
        StagedImport.clear(staging);
        return new StagedImport(staging) {
            @Override
            public void commit() throws AgentException {
                try {
                    for (String config : List.of("config", SET_ASIDE)) {
                        Path f = staging.resolve(config);
                        if (Files.isRegularFile(f) && !sourcePath.isBlank()) {
                            Files.writeString(f, Files.readString(f).replace(sourcePath, target.toString()));
                        }
                    }
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new AgentException("io_error", "cannot put the imported " + name + " in place: "
                            + e.getMessage());
                }
                saveDefinition(name, definition);
            }
        };
    }
}
