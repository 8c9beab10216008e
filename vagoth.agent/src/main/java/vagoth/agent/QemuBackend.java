package vagoth.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;

import vagoth.support.proc.Deadline;

/**
 * QEMU guests, run by the agent itself (DESIGN section 10): each VM has a
 * directory under the state directory with its definition, its disk (unless
 * the disks live in a directory of their own, {@code --disks}, which hosts
 * that share storage share), its NoCloud seed, and while it runs QEMU's pid
 * file, two QMP sockets (one for quick requests, one for a migration's long
 * work), its serial console's socket and the serial log. QEMU runs detached
 * ({@code -daemonize}: its own session), so it outlives the agent; every
 * request finds it again by its pid file and QMP socket.
 *
 * <p>A VM runs on the virtual hardware pinned in its definition at define
 * time ({@code machine}, {@code cpu_model}). A guest that powers itself off
 * leaves QEMU waiting ({@code -no-shutdown}) so that its state says so; a
 * QEMU that ended without being asked is {@code stopped} with the reason in
 * its substate.
 */
final class QemuBackend implements Backend {
    static final String DEFINITION = "definition.json";
    /** Where an undefined VM's definition is set aside: its disk is kept, and a later define takes it back. */
    static final String SET_ASIDE = "definition.undefined";
    static final String PID = "qemu.pid";
    static final String QMP = "qmp.sock";
    /** The second monitor: a migration holds it for minutes while quick requests use {@link #QMP}. */
    static final String QMP_JOB = "qmp-job.sock";
    static final String SERIAL = "serial.sock";
    static final String SERIAL_LOG = "serial.log";
    static final String QEMU_LOG = "qemu.log";
    /** Why QEMU is not running, written by whoever ended it (or learnt by the agent when it ended on its own). */
    static final String STOPPED = "stopped";
    static final String SEED = "seed.iso";
    /** A guest started with {@code -incoming}: a live migration's destination until it is finished or aborted. */
    static final String INCOMING = "incoming.json";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(600);
    /** The longest a Unix socket's path may be (sun_path), less its terminating zero. */
    private static final int MAX_SOCKET_PATH = 107;
    private static final int DEFAULT_RAM_MB = 256;

    private final Path state;
    private final Path disks;
    private final QemuHost host;
    private final Duration shutdownTimeout;

    /**
     * @param disks where the disks are, shared by the hosts that share storage; null: each in its VM's directory
     */
    QemuBackend(Path state, Path disks, QemuHost host, Duration shutdownTimeout) {
        this.state = state.toAbsolutePath();
        this.disks = disks == null ? null : disks.toAbsolutePath();
        this.host = host;
        this.shutdownTimeout = shutdownTimeout;
    }

    static QemuBackend open(Path state, Path disks, String binary, Duration shutdownTimeout) throws AgentException {
        try {
            Files.createDirectories(state);
            if (disks != null) {
                Files.createDirectories(disks);
            }
        } catch (IOException e) {
            throw new AgentException("state_dir", "cannot create " + state + (disks == null ? "" : " or " + disks)
                    + ": " + e.getMessage());
        }
        return new QemuBackend(state, disks, QemuHost.learn(binary, state.toAbsolutePath()), shutdownTimeout);
    }

    /** Whether the disks are in a directory of their own, which hosts that share storage share. */
    boolean sharesDisks() {
        return disks != null;
    }

    Path dir(String name) {
        return state.resolve(name);
    }

    Path disk(String name) {
        return disks == null ? dir(name).resolve("disk.qcow2") : disks.resolve(name + ".qcow2");
    }

    private boolean defined(String name) {
        return Files.isRegularFile(dir(name).resolve(DEFINITION));
    }

    private void requireDefined(String name) throws AgentException {
        if (!defined(name)) {
            throw new AgentException("not_defined", "VM " + name + " is not defined in " + state);
        }
    }

    // --- definition ---------------------------------------------------------------------------------------------

    @Override
    public void define(String name, Map<String, String> definition) throws AgentException {
        Path dir = dir(name);
        if (!defined(name) && Files.isRegularFile(dir.resolve(SET_ASIDE))) {
            move(dir.resolve(SET_ASIDE), dir.resolve(DEFINITION)); // undefined before: its disk was kept
        }
        Map<String, String> def = pinned(name, definition);
        checkSocketPaths(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot make " + dir + ": " + e.getMessage());
        }
        if (def.containsKey("image") && !Files.exists(disk(name))) {
            makeDisk(name, def);
        }
        if (Files.exists(disk(name))) {
            def.put("disk_bytes", String.valueOf(virtualSize(disk(name))));
        }
        writeSeed(name, def);
        save(dir.resolve(DEFINITION), def);
    }

    /**
     * The definition checked, with its virtual hardware pinned: what an earlier define pinned is kept, else the
     * definition's own {@code machine} and {@code cpu_model}, else this QEMU's default machine type (its versioned
     * name) and {@code qemu64}.
     */
    private Map<String, String> pinned(String name, Map<String, String> definition) throws AgentException {
        Map<String, String> def = new TreeMap<>(definition);
        Map<String, String> earlier = load(name);
        for (String k : List.of("machine", "cpu_model")) {
            if (!def.containsKey(k) && earlier.containsKey(k)) {
                def.put(k, earlier.get(k));
            }
        }
        def.putIfAbsent("machine", host.facts().defaultMachine());
        def.putIfAbsent("cpu_model", "qemu64");
        String why = host.cannotRun(def.get("machine"), def.get("cpu_model"));
        if (why != null) {
            throw new AgentException("bad_definition", name + ": " + why);
        }
        number(def, "ram", 16, 1 << 20);
        number(def, "cpus", 1, 256);
        for (String k : List.of("kernel", "initrd", "image")) {
            String v = def.get(k);
            if (v != null && (!v.startsWith("/") || !Files.isRegularFile(Path.of(v)))) {
                throw new AgentException("bad_definition", name + ": " + k + "=" + v + " is not a file on this host"
                        + " (an absolute path)");
            }
        }
        if (!def.containsKey("kernel") && !def.containsKey("image") && !Files.exists(disk(name))) {
            throw new AgentException("bad_definition", name + ": nothing to boot: the definition names neither an"
                    + " image (image=/path/to/base.qcow2) nor a kernel (kernel=, initrd=, append=)");
        }
        GuestNetwork.mac(name, def);
        GuestNetwork.bridge(name, def);
        String size = def.get("disk_size");
        if (size != null && !size.matches("[0-9]{1,12}[KMGT]?")) {
            throw new AgentException("bad_definition", name + ": disk_size=" + size + " is not a size (e.g. 10G)");
        }
        return def;
    }

    private static void number(Map<String, String> def, String key, long min, long max) throws AgentException {
        String v = def.get(key);
        if (v == null) {
            return;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new AgentException("bad_definition", key + "=" + v + " must be a whole number from " + min + " to "
                    + max);
        }
    }

    /** QEMU's sockets live in the VM's directory: their paths must fit a Unix socket's address. */
    private static void checkSocketPaths(Path dir) throws AgentException {
        int longest = dir.resolve(QMP_JOB).toString().getBytes(StandardCharsets.UTF_8).length;
        if (longest > MAX_SOCKET_PATH) {
            throw new AgentException("state_dir", "the state directory's path is too long for QEMU's sockets ("
                    + longest + " bytes, at most " + MAX_SOCKET_PATH + "): choose a shorter --state");
        }
    }

    /** The VM's disk from its template's base image: a qcow2 overlay on it, or a copy with {@code disk_copy=true}. */
    private void makeDisk(String name, Map<String, String> def) throws AgentException {
        Path disk = disk(name);
        Path tmp = disk.resolveSibling(disk.getFileName() + ".tmp");
        String image = def.get("image");
        String format = imageFormat(Path.of(image));
        List<String> argv = new ArrayList<>();
        if (Boolean.parseBoolean(def.getOrDefault("disk_copy", "false"))) {
            argv.addAll(List.of("qemu-img", "convert", "-f", format, "-O", "qcow2", image, tmp.toString()));
            tool(argv, "copying " + image + " for " + name);
            if (def.containsKey("disk_size")) {
                tool(List.of("qemu-img", "resize", "-f", "qcow2", tmp.toString(), def.get("disk_size")),
                        "resizing the disk of " + name);
            }
        } else {
            argv.addAll(List.of("qemu-img", "create", "-f", "qcow2", "-F", format, "-b", image, tmp.toString()));
            if (def.containsKey("disk_size")) {
                argv.add(def.get("disk_size"));
            }
            tool(argv, "making the disk of " + name + " on " + image);
        }
        move(tmp, disk);
    }

    private static String imageFormat(Path image) throws AgentException {
        String out = tool(List.of("qemu-img", "info", "--output=json", image.toString()), "reading " + image);
        try {
            return GSON.fromJson(out, JsonObject.class).get("format").getAsString();
        } catch (RuntimeException e) {
            throw new AgentException("qemu_img", "qemu-img info of " + image + " said no format: " + out);
        }
    }

    private static long virtualSize(Path disk) throws AgentException {
        String out = tool(List.of("qemu-img", "info", "-U", "--output=json", disk.toString()), "reading " + disk);
        try {
            return GSON.fromJson(out, JsonObject.class).get("virtual-size").getAsLong();
        } catch (RuntimeException e) {
            throw new AgentException("qemu_img", "qemu-img info of " + disk + " said no size: " + out);
        }
    }

    /**
     * The NoCloud seed ({@code cidata}): the VM's hostname, root's authorized keys ({@code ssh_authorized_keys}, one
     * a line) and its network (DHCP on the NIC of its MAC), as cloud images expect and as the {@code tiny} guest reads
     * them.
     */
    void writeSeed(String name, Map<String, String> def) throws AgentException {
        Path dir = dir(name);
        Path src = dir.resolve("seed.d");
        String hostname = hostname(name, def);
        StringBuilder user = new StringBuilder("#cloud-config\nhostname: ").append(hostname).append('\n');
        List<String> keys = GuestNetwork.authorizedKeys(def);
        if (!keys.isEmpty()) {
            user.append("ssh_authorized_keys:\n");
            keys.forEach(k -> user.append("  - ").append(k).append('\n'));
        }
        String meta = "instance-id: " + name + "\nlocal-hostname: " + hostname + "\n";
        String net = "version: 2\nethernets:\n  nic0:\n    match:\n      macaddress: \"" + mac(name, def)
                + "\"\n    dhcp4: true\n";
        try {
            Trees.delete(src);
            Files.createDirectories(src);
            Files.writeString(src.resolve("meta-data"), meta);
            Files.writeString(src.resolve("user-data"), user);
            Files.writeString(src.resolve("network-config"), net);
            Path tmp = dir.resolve(SEED + ".tmp");
            tool(List.of("genisoimage", "-quiet", "-output", tmp.toString(), "-volid", "cidata", "-joliet", "-rock",
                    src.resolve("meta-data").toString(), src.resolve("user-data").toString(),
                    src.resolve("network-config").toString()), "making the NoCloud seed of " + name);
            move(tmp, dir.resolve(SEED));
            Trees.delete(src);
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot write the NoCloud seed of " + name + ": " + e.getMessage());
        }
    }

    private static String hostname(String name, Map<String, String> def) {
        String h = def.get("hostname");
        if (h == null || h.isBlank()) {
            String fqdn = def.getOrDefault("fqdn", "");
            h = fqdn.isBlank() ? name : fqdn.split("\\.")[0];
        }
        return h.matches("[A-Za-z0-9][A-Za-z0-9-]{0,62}") ? h : name.replaceAll("[^A-Za-z0-9-]", "-");
    }

    /** The definition's MAC, or one made from the name (QEMU's locally administered prefix). */
    static String mac(String name, Map<String, String> def) {
        String mac = def.get("mac");
        if (mac != null && !mac.isBlank()) {
            return mac.toLowerCase(java.util.Locale.ROOT);
        }
        int h = name.hashCode();
        return String.format("52:54:00:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
    }

    @Override
    public List<String> serialLog(String name, int lines) throws AgentException {
        requireDefined(name);
        return SerialLog.tail(dir(name).resolve(SERIAL_LOG), lines);
    }

    @Override
    public void provision(String name, Map<String, String> definition) throws AgentException {
        define(name, definition);
    }

    @Override
    public void undefine(String name) throws AgentException {
        requireDefined(name);
        if (alive(name) != null) {
            throw new AgentException("vm_running", "VM " + name + " is running; stop it before undefining it");
        }
        move(dir(name).resolve(DEFINITION), dir(name).resolve(SET_ASIDE));
    }

    @Override
    public void deprovision(String name) throws AgentException {
        Path dir = dir(name);
        if (!Files.isDirectory(dir)) {
            throw new AgentException("not_defined", "VM " + name + " is not here (" + dir + ")");
        }
        if (alive(name) != null) {
            quit(name, "deprovisioned");
        }
        try {
            Files.deleteIfExists(disk(name));
            Trees.delete(dir);
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot remove " + name + "'s disk or directory: " + e.getMessage());
        }
    }

    // --- running ------------------------------------------------------------------------------------------------

    @Override
    public void start(String name) throws AgentException {
        requireDefined(name);
        if (alive(name) != null) {
            return; // it runs already
        }
        launch(name, load(name), null, false);
    }

    /**
     * Starts QEMU for {@code name} detached, waiting until it has set up (its daemonizing parent has exited). With
     * {@code incoming} ({@code tcp:HOST:PORT}) the guest waits for a migration, and runs when it arrives unless
     * {@code holdPaused} (then it waits for a {@code cont}).
     */
    void launch(String name, Map<String, String> def, String incoming, boolean holdPaused) throws AgentException {
        Path dir = dir(name);
        try {
            for (String f : List.of(PID, QMP, QMP_JOB, SERIAL, STOPPED)) {
                Files.deleteIfExists(dir.resolve(f));
            }
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot clear " + dir + ": " + e.getMessage());
        }
        String tap = null;
        String bridge = def.get("bridge");
        if (bridge != null && !bridge.isBlank()) {
            tap = tapName(name);
        }
        List<String> argv = argv(name, def, incoming, holdPaused, tap);
        Path log = dir.resolve(QEMU_LOG);
        try {
            Files.writeString(log, "--- " + java.time.Instant.now() + " " + String.join(" ", argv) + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null")
                    .toFile())).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true).start();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AgentException("qemu_failed", "QEMU for " + name + " did not set up within 120 s; see "
                        + log);
            }
            if (p.exitValue() != 0) {
                throw new AgentException("qemu_failed", "QEMU for " + name + " did not start (status "
                        + p.exitValue() + "): " + lastLines(log, 3));
            }
        } catch (IOException e) {
            throw new AgentException("qemu_missing", "cannot run " + host.binary() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted", "interrupted while starting " + name);
        }
        if (tap != null) {
            try {
                tool(List.of("ip", "link", "set", "dev", tap, "master", bridge, "up"), "attaching " + name
                        + " to bridge " + bridge);
            } catch (AgentException e) {
                quit(name, "its network could not be attached");
                throw e;
            }
        }
    }

    /** A tap device's name, unique to this start: the source's and the destination's differ in a migration. */
    private static String tapName(String name) {
        return String.format("vq%08x%04x", name.hashCode(), java.util.concurrent.ThreadLocalRandom.current()
                .nextInt(1 << 16));
    }

    private List<String> argv(String name, Map<String, String> def, String incoming, boolean holdPaused, String tap) {
        Path dir = dir(name);
        List<String> a = new ArrayList<>(List.of(host.binary(), "-name", name + ",process=vagoth-" + name,
                "-machine", def.get("machine") + ",accel=" + host.accel(), "-cpu", def.get("cpu_model"),
                "-m", def.getOrDefault("ram", String.valueOf(DEFAULT_RAM_MB)), "-smp", def.getOrDefault("cpus", "1"),
                "-display", "none", "-nodefaults", "-no-user-config", "-no-shutdown",
                "-qmp", "unix:" + dir.resolve(QMP) + ",server=on,wait=off",
                "-qmp", "unix:" + dir.resolve(QMP_JOB) + ",server=on,wait=off",
                "-chardev", "socket,id=serial0,path=" + dir.resolve(SERIAL) + ",server=on,wait=off,logfile="
                        + dir.resolve(SERIAL_LOG) + ",logappend=on",
                "-serial", "chardev:serial0",
                "-pidfile", dir.resolve(PID).toString(), "-daemonize",
                // a log of its own keeps QEMU's standard error (our qemu.log) open after it daemonizes
                "-D", dir.resolve("qemu-trace.log").toString()));
        if (def.containsKey("kernel")) {
            a.addAll(List.of("-kernel", def.get("kernel")));
            if (def.containsKey("initrd")) {
                a.addAll(List.of("-initrd", def.get("initrd")));
            }
            a.addAll(List.of("-append", def.getOrDefault("append", "console=ttyS0")));
        }
        if (Files.exists(disk(name))) {
            a.addAll(List.of("-blockdev", "driver=file,filename=" + disk(name) + ",node-name=disk0-file",
                    "-blockdev", "driver=qcow2,file=disk0-file,node-name=disk0",
                    "-device", "virtio-blk-pci,drive=disk0,id=vdisk0,bootindex=1"));
        }
        if (Files.exists(dir.resolve(SEED))) {
            a.addAll(List.of("-blockdev", "driver=file,filename=" + dir.resolve(SEED) + ",node-name=seed-file"
                    + ",read-only=on", "-blockdev", "driver=raw,file=seed-file,node-name=seed,read-only=on",
                    "-device", "virtio-blk-pci,drive=seed,id=vseed"));
        }
        if (tap != null) {
            a.addAll(List.of("-netdev", "tap,id=net0,ifname=" + tap + ",script=no,downscript=no",
                    "-device", "virtio-net-pci,netdev=net0,id=nic0,mac=" + mac(name, def)));
        }
        if (incoming != null) {
            a.addAll(List.of("-incoming", incoming));
            if (holdPaused) {
                a.add("-S");
            }
        }
        return a;
    }

    @Override
    public void stop(String name) throws AgentException {
        requireDefined(name);
        if (alive(name) != null) {
            quit(name, "stopped");
        }
    }

    /** Ends QEMU: {@code quit} over QMP, then SIGKILL if it is still there after a while; records why. */
    void quit(String name, String why) throws AgentException {
        Long pid = alive(name);
        if (pid == null) {
            return;
        }
        note(name, why);
        try (Qmp q = qmp(name)) {
            q.execute("quit", null);
        } catch (AgentException e) {
            // a monitor that does not answer: the process is ended below all the same
        }
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        if (h == null) {
            return;
        }
        try {
            h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            h.destroyForcibly();
            waitGone(h);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted", "interrupted while ending " + name);
        }
        if (h.isAlive()) {
            throw new AgentException("qemu_failed", "QEMU of " + name + " (pid " + pid + ") did not end");
        }
    }

    private static void waitGone(ProcessHandle h) {
        try {
            h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // said by the caller, which checks
        }
    }

    /** ACPI power-down; a guest that ignores it (a busybox one does) is ended after the shutdown timeout. */
    @Override
    public void shutdown(String name) throws AgentException {
        requireDefined(name);
        if (alive(name) == null) {
            return;
        }
        try (Qmp q = qmp(name)) {
            q.execute("system_powerdown", null);
        }
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (alive(name) == null || "shutdown".equals(status(name))) {
                quit(name, "shut down by its guest");
                return;
            }
            sleep(250);
        }
        quit(name, "shut down: the guest ignored the ACPI power button for " + shutdownTimeout.toSeconds()
                + " s, so QEMU was ended");
    }

    @Override
    public void reboot(String name) throws AgentException {
        requireDefined(name);
        if (alive(name) == null) {
            throw new AgentException("vm_stopped", "VM " + name + " is not running");
        }
        try (Qmp q = qmp(name)) {
            q.execute("system_reset", null);
        }
    }

    // --- state --------------------------------------------------------------------------------------------------

    /** QEMU's pid when it runs for {@code name} (the pid file names a live QEMU of this VM), else null. */
    Long alive(String name) {
        Path dir = dir(name);
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve(PID)).trim());
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            return cmdline.contains(dir.resolve(QMP).toString()) ? pid : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** QEMU's run state ({@code running}, {@code paused}, {@code inmigrate}, {@code postmigrate}, ...). */
    String status(String name) throws AgentException {
        try (Qmp q = qmp(name)) {
            return q.query("query-status").get("status").getAsString();
        }
    }

    Qmp qmp(String name) throws AgentException {
        return Qmp.open(dir(name).resolve(QMP), QMP_TIMEOUT, "QEMU of " + name);
    }

    Qmp jobQmp(String name, Duration timeout) throws AgentException {
        return Qmp.open(dir(name).resolve(QMP_JOB), timeout, "QEMU of " + name);
    }

    @Override
    public Info info(String name) throws AgentException {
        requireDefined(name);
        Map<String, String> def = load(name);
        Long pid = alive(name);
        if (pid == null) {
            return new Info(def, "stopped", whyStopped(name));
        }
        String s;
        try {
            s = status(name);
        } catch (AgentException e) {
            if (alive(name) == null) {
                return new Info(def, "stopped", whyStopped(name));
            }
            return new Info(def, "unknown", "qemu (pid " + pid + ") runs but its monitor does not answer: "
                    + e.getMessage());
        }
        return switch (s) {
            case "running" -> new Info(def, "running", "running");
            case "inmigrate" -> new Info(def, "paused", "inmigrate");
            case "postmigrate" -> new Info(def, "paused", "postmigrate");
            case "shutdown" -> {
                quit(name, "powered off by its guest");
                yield new Info(def, "stopped", "powered off by its guest");
            }
            case "guest-panicked", "internal-error", "io-error" -> new Info(def, "crashed", s);
            default -> new Info(def, "paused", s);
        };
    }

    /**
     * Why QEMU is not running: what whoever ended it wrote, or, when it ended on its own (killed, crashed), that
     * and the last line of its log; {@code defined} when it never ran.
     */
    private String whyStopped(String name) {
        Path dir = dir(name);
        try {
            if (Files.exists(dir.resolve(STOPPED))) {
                return Files.readString(dir.resolve(STOPPED)).trim();
            }
            if (Files.exists(dir.resolve(PID))) {
                String pid = Files.readString(dir.resolve(PID)).trim();
                String last = lastLines(dir.resolve(QEMU_LOG), 1);
                String why = "crashed: QEMU (pid " + pid + ") ended without being asked"
                        + (last.isBlank() || last.startsWith("---") ? "" : "; its log says: " + last);
                note(name, why);
                return why;
            }
        } catch (IOException | AgentException e) {
            return "stopped";
        }
        return "defined";
    }

    private void note(String name, String why) throws AgentException {
        try {
            Files.writeString(dir(name).resolve(STOPPED), why + "\n");
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot write " + dir(name).resolve(STOPPED) + ": " + e.getMessage());
        }
    }

    @Override
    public Status status() throws AgentException {
        Map<String, Info> vms = new TreeMap<>();
        try (var s = Files.list(state)) {
            for (Path d : s.toList()) {
                String name = d.getFileName().toString();
                if (name.matches(Agent.NAME) && defined(name)) {
                    vms.put(name, info(name));
                }
            }
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot list " + state + ": " + e.getMessage());
        }
        Map<String, Object> facts = new LinkedHashMap<>(HostFacts.read());
        facts.putAll(host.describe());
        return new Status(vms, facts);
    }

    @Override
    public void migrate(String name, String destination) throws AgentException {
        throw new AgentException("not_supported", "the qemu back end migrates live (live_prepare, live_send,"
                + " live_finish) or cold (export and import), not by 'migrate'");
    }

    @Override
    public Path console(String name) throws AgentException {
        requireDefined(name);
        if (alive(name) == null) {
            throw new AgentException("vm_stopped", "VM " + name + " is not running: it has no console to attach to");
        }
        return dir(name).resolve(SERIAL);
    }

    // --- live migration ---------------------------------------------------------------------------------------

    @Override
    public Map<String, Object> livePrepare(String name, Map<String, String> definition, String address,
            boolean copyDisk) throws AgentException {
        String why = host.cannotRun(definition.getOrDefault("machine", ""), definition.getOrDefault("cpu_model", ""));
        if (why != null) {
            throw new AgentException("incompatible", name + " cannot run here: " + why);
        }
        LiveMigration.Prepared p = new LiveMigration(this).prepare(name, definition, address, copyDisk);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uri", p.uri());
        out.put("nbd", p.nbd());
        out.put("accel", host.accel());
        return out;
    }

    @Override
    public Map<String, Object> liveSend(String name, String uri, String nbd, LiveMigration.Limits limits,
            java.util.function.Consumer<Map<String, Object>> progress) throws AgentException {
        requireDefined(name);
        return new LiveMigration(this).send(name, uri, nbd, limits, progress);
    }

    @Override
    public Map<String, Object> liveFinish(String name) throws AgentException {
        return new LiveMigration(this).finish(name);
    }

    @Override
    public void liveCancel(String name) throws AgentException {
        new LiveMigration(this).cancel(name);
    }

    @Override
    public void liveAbort(String name, boolean source) throws AgentException {
        new LiveMigration(this).abort(name, source);
    }

    // --- disks between hosts ------------------------------------------------------------------------------------

    /** A stopped VM's directory, its disk in it (a VM whose disk is in a shared directory has nothing to export). */
    @Override
    public Export export(String name) throws AgentException {
        requireDefined(name);
        if (alive(name) != null) {
            throw new AgentException("vm_running", "VM " + name + " is running; stop it before exporting its disk");
        }
        if (disks != null) {
            throw new AgentException("shared_disk", "the disk of " + name + " is in " + disks + ", which hosts that"
                    + " share storage share: it does not move");
        }
        Path dir = dir(name);
        return new Export(load(name), dir.toString(), List.of("tar", "--numeric-owner", "--exclude=./*.sock",
                "--exclude=./" + PID, "-C", dir.toString(), "-cf", "-", "."));
    }

    @Override
    public Import importing(String name, Map<String, String> definition, String sourcePath) throws AgentException {
        Path target = dir(name);
        if (Files.exists(target)) {
            throw new AgentException("exists", "a VM " + name + " (or its kept disk) is in " + state
                    + " already; nothing was imported");
        }
        if (disks != null) {
            throw new AgentException("shared_disk", "this host keeps its disks in " + disks + ", shared with others:"
                    + " a disk is not imported into it");
        }
        Path staging = state.resolve(".vagoth-import-" + name);
        StagedImport.clear(staging);
        return new StagedImport(staging) {
            @Override
            public void commit() throws AgentException {
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new AgentException("io_error", "cannot put the imported " + name + " in place: "
                            + e.getMessage());
                }
                Map<String, String> def = new TreeMap<>(load(name));
                def.putAll(definition);
                save(target.resolve(DEFINITION), def);
            }
        };
    }

    // --- files --------------------------------------------------------------------------------------------------

    Map<String, String> load(String name) {
        Path dir = dir(name);
        Path f = Files.isRegularFile(dir.resolve(DEFINITION)) ? dir.resolve(DEFINITION) : dir.resolve(SET_ASIDE);
        try {
            Map<String, String> d = GSON.fromJson(Files.readString(f), new TypeToken<Map<String, String>>() { }
                    .getType());
            return d == null ? new TreeMap<>() : new TreeMap<>(d);
        } catch (IOException | JsonParseException e) {
            return new TreeMap<>();
        }
    }

    static Map<String, Object> loadObject(Path file) {
        try {
            Map<String, Object> m = GSON.fromJson(Files.readString(file), new TypeToken<Map<String, Object>>() { }
                    .getType());
            return m == null ? Map.of() : m;
        } catch (IOException | JsonParseException e) {
            return Map.of();
        }
    }

    static void save(Path file, Map<String, ?> content) throws AgentException {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(GSON.toJson(content).getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot write " + file + ": " + e.getMessage());
        }
    }

    private static void move(Path from, Path to) throws AgentException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot rename " + from + " to " + to + ": " + e.getMessage());
        }
    }

    static String lastLines(Path file, int n) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size())).trim();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Runs a tool (qemu-img, genisoimage, ip) as an argv; its output, or an error naming what failed. */
    static String tool(List<String> argv, String what) throws AgentException {
        try {
            Deadline.Outcome o = Deadline.runApart(argv, TOOL_TIMEOUT, 1 << 20);
            if (o.timedOut()) {
                throw new AgentException("timeout", what + ": " + argv.get(0) + " did not finish within "
                        + TOOL_TIMEOUT.toSeconds() + " s (ended)");
            }
            if (o.exitValue() != 0) {
                throw new AgentException("tool_failed", what + ": " + argv.get(0) + " failed (status "
                        + o.exitValue() + "): " + o.errors().trim());
            }
            return o.output();
        } catch (IOException e) {
            throw new AgentException("tool_missing", what + ": cannot run " + argv.get(0) + " (" + e.getMessage()
                    + "); on Debian: apt-get install qemu-utils genisoimage iproute2");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted", what + " was interrupted");
        }
    }

    static void sleep(long ms) throws AgentException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted", "interrupted");
        }
    }
}
