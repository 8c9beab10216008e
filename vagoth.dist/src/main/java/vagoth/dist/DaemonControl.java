package vagoth.dist;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code vagoth daemon status} and {@code vagoth daemon stop}: whether a
 * daemon serves the home, and stopping it as SIGTERM does (running commands
 * and jobs finish or are recorded as interrupted, then it exits). Also what
 * a daemon started in the background reads of {@code etc/vagoth.daemon.cfg}:
 * after how long without a command it exits by itself.
 */
final class DaemonControl {
    /** How long {@code daemon stop} waits for the daemon to exit. */
    private static final long STOP_WAIT_S = 150;
    static final double DEFAULT_IDLE_EXIT_MINUTES = 120;

    private DaemonControl() {
    }

    static int status(VagothHome home, PrintStream out, PrintStream err) {
        Optional<ProcessHandle> daemon = running(home);
        if (daemon.isEmpty()) {
            out.println("vagoth: no daemon serves " + home.root());
            return OneShot.FAILED;
        }
        if (!DaemonServer.answering(home.socket())) {
            out.println("vagoth: a daemon runs for " + home.root() + " (pid " + daemon.get().pid() + ") but its socket "
                    + home.socket() + " does not answer (removed?); 'vagoth daemon stop' stops it, and the next command"
                    + " starts a new one");
            return OneShot.FAILED;
        }
        out.println("vagoth: a daemon serves " + home.root() + " (pid " + daemon.get().pid() + ", since "
                + daemon.get().info().startInstant().map(Object::toString).orElse("an unknown time") + ")");
        Path api = home.var().resolve("run").resolve("api.state");
        try {
            if (Files.exists(api)) {
                out.println("vagoth: its remote API is " + Files.readString(api).strip());
            }
        } catch (IOException e) {
            // not said
        }
        return OneShot.OK;
    }

    /** The file whose lock a daemon holds while it runs: what decides whether one runs, not its socket. */
    static Path lockFile(VagothHome home) {
        return home.var().resolve("run").resolve("daemon.lock");
    }

    /**
     * Takes the home's daemon lock for the life of this process, or returns
     * null when another process holds it (a daemon runs).
     */
    static java.nio.channels.FileLock lockHome(VagothHome home) throws IOException {
        Files.createDirectories(lockFile(home).getParent());
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile(home),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = ch.tryLock();
        if (lock == null) {
            ch.close();
        }
        return lock; // its channel stays open, and the lock held, until the process exits
    }

    /** Whether another process holds the home's daemon lock. */
    static boolean lockHeld(VagothHome home) {
        if (!Files.exists(lockFile(home))) {
            return false;
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile(home),
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock lock = ch.tryLock();
            if (lock != null) {
                lock.release();
                return false;
            }
            return true;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true; // this very process is the daemon
        } catch (IOException e) {
            return false;
        }
    }

    static int stop(VagothHome home, PrintStream out, PrintStream err) {
        Optional<ProcessHandle> daemon = running(home);
        if (daemon.isEmpty()) {
            out.println("vagoth: no daemon serves " + home.root() + "; nothing to stop");
            return OneShot.OK;
        }
        ProcessHandle p = daemon.get();
        p.destroy(); // SIGTERM: the daemon stops cleanly
        try {
            p.onExit().get(STOP_WAIT_S, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            err.println("vagoth: the daemon (pid " + p.pid() + ") is still finishing after " + STOP_WAIT_S
                    + " s; 'vagoth daemon status' tells when it is gone");
            return OneShot.FAILED;
        } catch (java.util.concurrent.ExecutionException e) {
            // it is gone either way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OneShot.FAILED;
        }
        out.println("vagoth: stopped the daemon of " + home.root() + " (pid " + p.pid() + ")");
        return OneShot.OK;
    }

    /** The daemon process of the home: it holds the home's daemon lock and its pid file names it. */
    static Optional<ProcessHandle> running(VagothHome home) {
        if (!lockHeld(home)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(home.pidFile()).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code idle.exit.minutes} of {@code etc/vagoth.daemon.cfg}: after how
     * long without a command a daemon started in the background exits (0:
     * never; default 120; fractions allowed).
     *
     * @throws ConfigCheck.BadConfiguration naming the file and key when the value is not a number of 0 or more
     */
    static double idleExitMinutes(VagothHome home) throws IOException, ConfigCheck.BadConfiguration {
        Path cfg = home.etc().resolve("vagoth.daemon.cfg");
        if (!Files.exists(cfg)) {
            return DEFAULT_IDLE_EXIT_MINUTES;
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = Files.newInputStream(cfg)) {
            p.load(in);
        }
        String v = p.getProperty("idle.exit.minutes", String.valueOf(DEFAULT_IDLE_EXIT_MINUTES)).strip();
        try {
            double minutes = Double.parseDouble(v);
            if (minutes >= 0 && Double.isFinite(minutes)) {
                return minutes;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigCheck.BadConfiguration(cfg + ": idle.exit.minutes = " + v
                + ": must be a number of minutes, 0 (never) or more");
    }

    /** Writes the daemon's pid file (owner-only, as everything in var/run/). */
    static void writePid(VagothHome home) throws IOException {
        Path tmp = home.pidFile().resolveSibling("vagoth.pid.tmp");
        Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
        Files.move(tmp, home.pidFile(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Set by {@code bin/vagoth} when it starts a daemon: a pipe it waits on, told once the daemon serves. */
    static final String READY_PIPE = "VAGOTH_READY_PIPE";

    /**
     * Tells the {@code bin/vagoth} that started this daemon that it serves
     * (opened read-write: a pipe nobody reads any more never holds it up).
     */
    static void sayReady() {
        String pipe = System.getenv(READY_PIPE);
        if (pipe != null) {
            sayReady(Path.of(pipe));
        }
    }

    /**
     * Opened read-write (so a pipe nobody reads any more never holds it up)
     * and never created: a pipe {@code bin/vagoth} removed meanwhile is not
     * left behind as a plain file.
     */
    static void sayReady(Path pipe) {
        try (java.nio.channels.FileChannel w = java.nio.channels.FileChannel.open(pipe,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            if (!Files.isRegularFile(pipe)) {
                w.write(java.nio.ByteBuffer.wrap("ready\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            // it stopped waiting (and removed its pipe): it sees the pid file instead
        }
    }

    static void removePid(VagothHome home) {
        try {
            if (Files.readString(home.pidFile()).strip().equals(String.valueOf(ProcessHandle.current().pid()))) {
                Files.deleteIfExists(home.pidFile());
            }
        } catch (IOException e) {
            // gone already
        }
    }
}
