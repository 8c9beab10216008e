package vagoth.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;

import vagoth.support.proc.Deadline;

/**
 * What this host's QEMU is: its version, the machine types and CPU models it
 * offers (the default machine type as the versioned name a VM is pinned to),
 * and whether {@code /dev/kvm} can run a guest. KVM is probed by booting a
 * guest of one boot sector that writes to an I/O port QEMU answers by
 * exiting with a known status; a KVM that opens but cannot run a guest fails
 * the probe (or hangs until its deadline) and guests run under TCG. The facts
 * are learnt once per boot of the host and QEMU binary and kept in the state
 * directory ({@code qemu-host.json}), so an agent run per request does not
 * probe every time.
 */
final class QemuHost {
    private static final Gson GSON = new Gson();
    private static final String CACHE = "qemu-host.json";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    /** The boot sector's {@code out 0xf4, 0x21}: isa-debug-exit makes that exit status {@code (0x21 << 1) | 1}. */
    private static final int PROBE_EXIT = 0x43;

    /** The facts, as kept. */
    record Facts(String key, String version, String defaultMachine, List<String> machines, List<String> cpuModels,
            boolean kvm) {
    }

    private final String binary;
    private final Facts facts;

    private QemuHost(String binary, Facts facts) {
        this.binary = binary;
        this.facts = facts;
    }

    /** The facts of {@code binary} (a path or a name on the PATH), from the cache in {@code state} when it holds. */
    static QemuHost learn(String binary, Path state) throws AgentException {
        String key = key(binary);
        Path cache = state.resolve(CACHE);
        try {
            Facts kept = GSON.fromJson(Files.readString(cache), Facts.class);
            if (kept != null && key.equals(kept.key()) && kept.machines() != null && kept.cpuModels() != null) {
                return new QemuHost(binary, kept);
            }
        } catch (IOException | JsonParseException e) {
            // not learnt yet, or a cache of another day: learn again
        }
        Facts f = new Facts(key, version(binary), defaultMachine(binary), machines(binary), cpuModels(binary),
                kvmRuns(binary, state));
        try {
            Path tmp = Files.createTempFile(state, CACHE, ".tmp");
            Files.writeString(tmp, GSON.toJson(f));
            Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // kept for next time only: the facts stand
        }
        return new QemuHost(binary, f);
    }

    String binary() {
        return binary;
    }

    Facts facts() {
        return facts;
    }

    /** {@code kvm} when {@code /dev/kvm} runs guests here, else {@code tcg}. */
    String accel() {
        return facts.kvm() ? "kvm" : "tcg";
    }

    /** Null when a guest pinned to {@code machine} and {@code cpu} can run here, else why not. */
    String cannotRun(String machine, String cpu) {
        if (!facts.machines().contains(machine)) {
            return "QEMU " + facts.version() + " here has no machine type " + machine;
        }
        if (!facts.cpuModels().contains(cpu)) {
            return "QEMU " + facts.version() + " here has no CPU model " + cpu;
        }
        return null;
    }

    /** What {@code status} says of QEMU here. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("qemu_version", facts.version());
        m.put("kvm", facts.kvm());
        m.put("accel", accel());
        m.put("machine_default", facts.defaultMachine());
        m.put("machine_types", facts.machines());
        return m;
    }

    /** What says the facts are still true: this boot of the host, this QEMU binary. */
    private static String key(String binary) throws AgentException {
        Path bin = resolve(binary);
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
            return boot + " " + bin + " " + Files.size(bin) + " " + Files.getLastModifiedTime(bin).toMillis();
        } catch (IOException e) {
            throw new AgentException("qemu_missing", "cannot read " + bin + ": " + e.getMessage());
        }
    }

    private static Path resolve(String binary) throws AgentException {
        if (binary.contains("/")) {
            Path p = Path.of(binary);
            if (Files.isExecutable(p)) {
                return p;
            }
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, binary);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new AgentException("qemu_missing", "QEMU (" + binary + ") is not installed here; on Debian: apt-get"
                + " install qemu-system-x86 qemu-utils");
    }

    private static String run(String binary, String... args) throws AgentException {
        List<String> argv = new ArrayList<>(List.of(binary));
        argv.addAll(List.of(args));
        try {
            Deadline.Outcome o = Deadline.runApart(argv, Duration.ofSeconds(30), 1 << 20);
            if (o.timedOut() || o.exitValue() != 0) {
                throw new AgentException("qemu_failed", String.join(" ", argv) + " failed: "
                        + (o.timedOut() ? "no answer in 30 s" : o.errors().trim()));
            }
            return o.output();
        } catch (IOException e) {
            throw new AgentException("qemu_missing", "cannot run " + binary + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted", "interrupted while asking " + binary);
        }
    }

    private static String version(String binary) throws AgentException {
        String first = run(binary, "--version").lines().findFirst().orElse("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("version ([0-9][0-9.]*)").matcher(first);
        return m.find() ? m.group(1) : first.trim();
    }

    private static List<String> machines(String binary) throws AgentException {
        List<String> names = new ArrayList<>();
        for (String line : run(binary, "-machine", "help").lines().skip(1).toList()) {
            String name = line.trim().split("\\s+")[0];
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    /** The versioned machine type QEMU marks as its default ({@code pc-i440fx-7.2}), never an alias. */
    private static String defaultMachine(String binary) throws AgentException {
        return run(binary, "-machine", "help").lines().filter(l -> l.endsWith("(default)"))
                .map(l -> l.trim().split("\\s+")[0]).findFirst()
                .orElseThrow(() -> new AgentException("qemu_failed", binary + " names no default machine type"));
    }

    private static List<String> cpuModels(String binary) throws AgentException {
        List<String> names = new ArrayList<>();
        for (String line : run(binary, "-cpu", "help").lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals("x86")) {
                names.add(f[1]);
            }
        }
        return names;
    }

    /**
     * Whether KVM runs guests here, and to use: the one-sector guest must run to its exit under KVM, and in no more
     * than twice the time it takes under TCG (plus half a second). A {@code /dev/kvm} that opens but aborts, hangs,
     * or crawls (nested virtualisation without help from the host) is no use: guests run under TCG.
     */
    private static boolean kvmRuns(String binary, Path state) {
        if (!Files.isWritable(Path.of("/dev/kvm"))) {
            return false;
        }
        Path sector = null;
        try {
            sector = Files.createTempFile(state, "kvm-probe", ".img");
            Files.write(sector, bootSector());
            long tcg = probe(binary, "tcg", sector);
            long kvm = tcg < 0 ? -1 : probe(binary, "kvm", sector);
            return kvm >= 0 && kvm <= 2 * tcg + 500_000_000L;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (sector != null) {
                try {
                    Files.deleteIfExists(sector);
                } catch (IOException e) {
                    // a probe's sector left in the state directory harms nothing
                }
            }
        }
    }

    /** Nanoseconds the one-sector guest took to exit under {@code accel}, or -1 when it did not. */
    private static long probe(String binary, String accel, Path sector) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Deadline.Outcome o = Deadline.runApart(List.of(binary, "-accel", accel, "-machine", "pc", "-cpu", "qemu64",
                "-m", "16", "-display", "none", "-nodefaults", "-no-user-config", "-no-reboot",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-drive", "file=" + sector + ",format=raw,if=ide"), PROBE_TIMEOUT, 1 << 16);
        return !o.timedOut() && o.exitValue() == PROBE_EXIT ? System.nanoTime() - start : -1;
    }

    /** {@code mov al, 0x21; out 0xf4, al; hlt}, then the boot signature. */
    private static byte[] bootSector() {
        byte[] b = new byte[512];
        byte[] code = {(byte) 0xB0, 0x21, (byte) 0xE6, (byte) 0xF4, (byte) 0xF4};
        System.arraycopy(code, 0, b, 0, code.length);
        b[510] = 0x55;
        b[511] = (byte) 0xAA;
        return b;
    }
}
