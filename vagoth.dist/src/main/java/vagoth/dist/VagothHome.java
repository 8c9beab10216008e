package vagoth.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The directory an installation owns: {@code etc/} (configuration, watched),
 * {@code deploy/} (plugin bundles), {@code var/} (registry, jobs, logs). A new
 * home is filled with the embedded defaults; an existing one is left as the
 * operator made it.
 */
final class VagothHome {
    static final String ENV = "VAGOTH_HOME";
    /** Set to 1 to run in a home another user owns. */
    static final String ALLOW_OTHER_OWNER = "VAGOTH_ALLOW_OTHER_OWNER";
    private static final List<String> DEFAULTS = List.of("vagoth.manager.cfg", "vagoth.registry.file.cfg", "vagoth.scheduler.thread.cfg",
            "vagoth.jobs.file.cfg", "vagoth.virt.cfg", "vagoth.allocator.capacity.cfg", "vagoth.allocator.hint.cfg",
            "vagoth.monitor.cfg", "vagoth.driver.geats.cfg", "vagoth.provisioner.template.cfg", "templates/debian.json",
            "templates/busybox.json", "templates/tiny.json", "templates/tiny-lxc.json", "vagoth.ha.cfg");
    private final Path root;

    VagothHome(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    static VagothHome fromEnvironment() {
        String env = System.getenv(ENV);
        return new VagothHome(env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".vagoth"));
    }

    Path root() {
        return root;
    }

    Path etc() {
        return root.resolve("etc");
    }

    Path deploy() {
        return root.resolve("deploy");
    }

    Path var() {
        return root.resolve("var");
    }

    Path log() {
        return var().resolve("log");
    }

    /** The daemon's Unix socket (in a directory only its owner may enter). */
    Path socket() {
        return var().resolve("run").resolve("vagoth.sock");
    }

    /** The running daemon's process id, while it serves the home. */
    Path pidFile() {
        return var().resolve("run").resolve("vagoth.pid");
    }

    /** Present once the embedded hypervisor has been added to a new home. */
    Path seededMarker() {
        return var().resolve(".seeded");
    }

    /**
     * The command that adds the embedded hypervisor: {@code hyper1}, a simulated
     * host reached through the Geats driver and the bundled agent.
     */
    /** The interactive shell's history (owner-only), whichever way the shell runs. */
    Path history() {
        return var().resolve("history");
    }

    String[] seedCommand() {
        // the agent by name: bin/vagoth puts the distribution's bin/ on the PATH, so the home keeps working
        // when the distribution (or the checkout it was built in) moves or is rebuilt
        String agent = "vagoth-agent --backend sim --state '" + var().resolve("sim").resolve("hyper1")
                + "' --mem-total 16384 --cpus 8";
        // its capacity is declared, so VMs that ask for RAM can be placed before the first poll
        return new String[] {"--type", "hv", "hyper1", "driver=geats", "agent=" + agent, "agent_session=true",
            "mem_total=16384", "cpus=8"};
    }

    /** The owner of an existing home when it is not this process's user, else null. */
    String otherOwner() {
        try {
            if (!Files.exists(root)) {
                return null;
            }
            String owner = Files.getOwner(root).getName();
            return owner.equals(System.getProperty("user.name")) ? null : owner;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Creates the layout, owner-only (the launcher runs with umask 077, and
     * the home itself is closed to others even when it was made before); writes
     * the embedded defaults into a new {@code etc/}.
     */
    void prepare() throws IOException {
        Files.createDirectories(root);
        try {
            if (otherOwner() == null) {
                Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to close
        }
        boolean fresh = !Files.isDirectory(etc());
        Files.createDirectories(deploy());
        Files.createDirectories(log());
        if (fresh) {
            // this process's own: first commands started together each write theirs, and one wins the move
            Path tmp = Files.createDirectories(root.resolve("etc.new-" + ProcessHandle.current().pid()));
            Files.createDirectories(tmp.resolve("templates"));
            for (String name : DEFAULTS) {
                try (InputStream in = VagothHome.class.getResourceAsStream("defaults/" + name)) {
                    if (in == null) {
                        throw new IOException("the launcher lacks its default " + name);
                    }
                    Files.copy(in, tmp.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try {
                Files.move(tmp, etc(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileSystemException e) { // exists, or not empty (as the kernel says it)
                if (!Files.isDirectory(etc())) {
                    throw e;
                }
                // another process created it first: theirs is as good as ours
                try (java.util.stream.Stream<Path> ours = Files.walk(tmp)) {
                    for (Path p : ours.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
