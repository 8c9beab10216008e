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
        String template = definition.getOrDefault("template", "busybox");
        if (!template.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new AgentException("bad_definition", "template '" + template + "' is not a valid template name");
        }
        check(lxc("lxc-create", "-n", name, "-t", template), "lxc-create of " + name);
        try {
            Path config = lxcpath.resolve(name).resolve("config");
            StringBuilder extra = new StringBuilder("\n# added by vagoth-agent\n");
            String bridge = definition.get("bridge");
            List<String> lines = new ArrayList<>(Files.readAllLines(config));
            lines.removeIf(l -> l.trim().startsWith("lxc.net."));
            if (bridge != null && !bridge.isBlank()) {
                if (!bridge.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,14}")) {
                    throw new AgentException("bad_definition", "bridge '" + bridge + "' is not a valid interface name");
                }
                extra.append("lxc.net.0.type = veth\nlxc.net.0.link = ").append(bridge).append("\nlxc.net.0.flags = up\n");
            } else {
                extra.append("lxc.net.0.type = empty\n");
            }
            String ram = definition.get("ram");
            if (ram != null && ram.matches("[0-9]{1,9}")) {
                extra.append("lxc.cgroup2.memory.max = ").append(ram).append("M\n");
            }
            Files.writeString(config, String.join("\n", lines) + extra);
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot configure container " + name + ": " + e.getMessage());
        }
        saveDefinition(name, definition);
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
