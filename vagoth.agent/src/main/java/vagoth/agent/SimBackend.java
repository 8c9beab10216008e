package vagoth.agent;

import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;

/**
 * A simulated hypervisor: each VM is a file {@code vms/<name>.json} holding its
 * definition and state, under a state directory. The host offers a
 * configurable memory and CPU count. Several agent processes may share one
 * state directory; a lock file keeps their changes apart.
 */
final class SimBackend implements Backend {
    private static final Gson GSON = new Gson();
    private final Path vms;
    private final Path disks;
    private final Path lock;
    private final long memTotal;
    private final int cpus;

    SimBackend(Path state, long memTotalMb, int cpus) throws AgentException {
        this.vms = state.resolve("vms");
        this.disks = state.resolve("disks");
        this.lock = state.resolve("agent.lock");
        this.memTotal = memTotalMb;
        this.cpus = cpus;
        try {
            Files.createDirectories(vms);
        } catch (IOException e) {
            throw new AgentException("state_dir", "cannot create state directory " + vms + ": " + e.getMessage());
        }
    }

    private record Vm(Map<String, String> definition, String state) {
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws AgentException, IOException;
    }

    private <T> T locked(Work<T> work) throws AgentException {
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock l = ch.lock()) {
            return work.run();
        } catch (IOException e) {
            throw new AgentException("io_error", "simulated hypervisor state in " + vms + ": " + e.getMessage());
        }
    }

    private Path file(String name) {
        return vms.resolve(name + ".json");
    }

    private Vm read(String name) throws AgentException, IOException {
        Path f = file(name);
        if (!Files.exists(f)) {
            throw new AgentException("not_defined", "VM " + name + " is not defined here");
        }
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            JsonObject o = GSON.fromJson(r, JsonObject.class);
            Map<String, String> def = GSON.fromJson(o.get("definition"), new TypeToken<Map<String, String>>() { }.getType());
            return new Vm(def == null ? Map.of() : def, o.get("state").getAsString());
        } catch (JsonParseException | NullPointerException | IllegalStateException e) {
            throw new AgentException("state_corrupt", "state file " + f + " is damaged: " + e.getMessage());
        }
    }

    private void write(String name, Vm vm) throws IOException {
        JsonObject o = new JsonObject();
        o.add("definition", GSON.toJsonTree(new TreeMap<>(vm.definition())));
        o.addProperty("state", vm.state());
        Path tmp = vms.resolve(name + ".json.tmp");
        Files.writeString(tmp, GSON.toJson(o), StandardCharsets.UTF_8);
        Files.move(tmp, file(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void define(String name, Map<String, String> definition) throws AgentException {
        locked(() -> {
            if (Files.exists(file(name))) {
                Vm vm = read(name);
                if (!vm.definition().equals(definition) && vm.state().equals("running")) {
                    throw new AgentException("vm_running", "VM " + name + " is running; stop it before changing its definition");
                }
                write(name, new Vm(definition, vm.state()));
            } else {
                write(name, new Vm(definition, "stopped"));
            }
            return null;
        });
    }

    /** A simulated disk is a directory, {@code disks/<name>/}: whatever is put there travels with the VM. */
    @Override
    public void provision(String name, Map<String, String> definition) throws AgentException {
        define(name, definition);
        locked(() -> Files.createDirectories(disks.resolve(name)));
    }

    @Override
    public void undefine(String name) throws AgentException {
        locked(() -> {
            if (read(name).state().equals("running")) {
                throw new AgentException("vm_running", "VM " + name + " is running; stop it before undefining it");
            }
            Files.delete(file(name));
            return null;
        });
    }

    @Override
    public void deprovision(String name) throws AgentException {
        locked(() -> {
            read(name);
            Files.delete(file(name));
            Files.deleteIfExists(serialLog(name));
            Trees.delete(disks.resolve(name)); // the simulated disk goes with it
            return null;
        });
    }

    /** A simulated guest's console: a line for each thing done to it, in {@code vms/NAME.serial.log}. */
    private Path serialLog(String name) {
        return vms.resolve(name + ".serial.log");
    }

    private void printOnConsole(String name, String line) throws IOException {
        Files.writeString(serialLog(name), java.time.Instant.now() + " [sim] " + name + ": " + line + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    @Override
    public List<String> serialLog(String name, int lines) throws AgentException {
        return locked(() -> {
            read(name);
            return SerialLog.tail(serialLog(name), lines);
        });
    }

    private void setState(String name, String state) throws AgentException {
        locked(() -> {
            Vm vm = read(name);
            if (!vm.state().equals(state)) {
                printOnConsole(name, state.equals("running") ? "powered on (" + vm.definition().getOrDefault("ram",
                        "?") + " MB, " + vm.definition().getOrDefault("cpus", "?") + " CPUs)" : "powered off");
            }
            write(name, new Vm(vm.definition(), state));
            return null;
        });
    }

    @Override
    public void start(String name) throws AgentException {
        setState(name, "running");
    }

    @Override
    public void stop(String name) throws AgentException {
        setState(name, "stopped");
    }

    @Override
    public void shutdown(String name) throws AgentException {
        setState(name, "stopped");
    }

    @Override
    public void reboot(String name) throws AgentException {
        locked(() -> {
            Vm vm = read(name);
            if (!vm.state().equals("running")) {
                throw new AgentException("vm_not_running", "VM " + name + " is " + vm.state() + ", not running");
            }
            printOnConsole(name, "reset");
            return null;
        });
    }

    @Override
    public Info info(String name) throws AgentException {
        return locked(() -> toInfo(read(name)));
    }

    private static Info toInfo(Vm vm) {
        return new Info(vm.definition(), vm.state(), vm.state());
    }

    @Override
    public Status status() throws AgentException {
        return locked(() -> {
            Map<String, Info> all = new TreeMap<>();
            long used = 0;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(vms, "*.json")) {
                for (Path p : ds) {
                    String name = p.getFileName().toString().replaceFirst("\\.json$", "");
                    Vm vm = read(name);
                    all.put(name, toInfo(vm));
                    if (vm.state().equals("running")) {
                        used += parseLong(vm.definition().get("ram"));
                    }
                }
            }
            Map<String, Object> host = new LinkedHashMap<>();
            host.put("mem_total", memTotal);
            host.put("mem_free", Math.max(0, memTotal - used));
            host.put("cpus", cpus);
            host.put("load_avg", List.of(0.0, 0.0, 0.0));
            return new Status(all, host);
        });
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void migrate(String name, String destination) throws AgentException {
        throw new AgentException("not_supported", "live migration is not supported; Vagoth migrates cold "
                + "(stop, undefine here, define and start on " + destination + ")");
    }

    @Override
    public Export export(String name) throws AgentException {
        return locked(() -> {
            Vm vm = read(name);
            if (vm.state().equals("running")) {
                throw new AgentException("vm_running", "VM " + name + " is running; stop it before exporting its disk");
            }
            Path disk = Files.createDirectories(disks.resolve(name)).toAbsolutePath();
            return new Export(vm.definition(), disk.toString(), Trees.pack(disk));
        });
    }

    @Override
    public Import importing(String name, Map<String, String> definition, String sourcePath) throws AgentException {
        Path staging = disks.resolve(".import-" + name);
        locked(() -> {
            if (Files.exists(file(name)) || Files.exists(disks.resolve(name))) {
                throw new AgentException("exists", "VM " + name + " (or its disk) is here already; nothing was"
                        + " imported");
            }
            return StagedImport.clear(staging);
        });
        return new StagedImport(staging) {
            @Override
            public void commit() throws AgentException {
                locked(() -> {
                    Files.move(staging, disks.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                    write(name, new Vm(definition, "stopped"));
                    return null;
                });
            }
        };
    }
}
