package vagoth.dist;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/vagoth}: with a command, starts the container, runs the command
 * and exits with its status; without one, opens the interactive shell. The
 * framework is stopped on every way out, or the JVM would not exit.
 */
public final class Launcher {
    /** The thin client's answer when no daemon serves the home (bin/vagoth then runs the command itself). */
    static final int NO_DAEMON = 111;
    /** How often a long-lived container looks for edits in etc/. */
    private static final long CONFIG_POLL_MS = 1000;

    private Launcher() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String distProperty = System.getProperty("vagoth.dist");
        if (distProperty == null) {
            err.println("vagoth: start me through bin/vagoth (vagoth.dist is not set)");
            return OneShot.FAILED;
        }
        Trace.mark("launcher started");
        Path dist = Path.of(distProperty);
        VagothHome home = VagothHome.fromEnvironment();
        String refusal = otherOwnerRefusal(home);
        if (refusal != null) {
            err.println(refusal);
            return OneShot.FAILED;
        }
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            out.println("vagoth " + version() + " (JVM client)");
            return OneShot.OK;
        }
        // console VM (not console --where VM, which the command answers); SerialConsole is touched only then: it
        // needs gson, which the thin client's JVM has only for 'console'
        if (args.length > 0 && args[0].equals("console") && !Arrays.asList(args).contains("--where")
                && !Boolean.getBoolean("vagoth.thin")) {
            return SerialConsole.attach(args, Launcher::run, out, err); // console --where: by the daemon, or here
        }
        if (args.length > 0 && args[0].equals("reset-store")) {
            return Stores.reset(home, Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length == 2 && args[0].equals("daemon") && (args[1].equals("status") || args[1].equals("stop"))) {
            return args[1].equals("status") ? DaemonControl.status(home, out, err) : DaemonControl.stop(home, out, err);
        }
        if (Boolean.getBoolean("vagoth.thin")) { // the thin client's JVM: a shell attached to the daemon, or nothing
            if (args.length > 0 || !DaemonServer.answering(home.socket())) {
                return NO_DAEMON;
            }
            try {
                return new Shell(new AttachedShell(home.socket(), dist)).run(home.history());
            } catch (IOException e) {
                err.println("vagoth: cannot open the terminal: " + e.getMessage());
                return OneShot.FAILED;
            }
        }
        // a daemon serving the home runs the command, if one runs, unless --no-daemon (VAGOTH_NO_DAEMON=1) says here
        if (args.length > 0 && !args[0].equals("daemon") && !"1".equals(System.getProperty("vagoth.noDaemon"))) {
            int status = ThinClient.command(home, home.socket(), args, out, err);
            if (status >= 0) {
                return status;
            }
        }
        ConsoleLog log;
        try {
            home.prepare();
            log = ConsoleLog.configure(home.log(), logMaxBytes(home));
            Trace.mark("home prepared");
        } catch (IOException e) {
            err.println("vagoth: cannot prepare VAGOTH_HOME " + home.root() + ": " + describeIo(e));
            return OneShot.FAILED;
        }
        try {
            List<Path> jars = new ArrayList<>(Plugins.jars(dist.resolve("bundle")));
            jars.removeIf(j -> !j.getFileName().toString().startsWith("vagoth."));
            jars.addAll(Plugins.usable(home.deploy(), err));
            ConfigCheck.of(jars, err).check(home.etc());
            Trace.mark("configuration checked");
            String lost = Stores.problem(home);
            if (lost != null) {
                err.println("vagoth: " + lost);
                return OneShot.FAILED;
            }
            DaemonControl.idleExitMinutes(home); // every path says so, not only the daemon that would read it
        } catch (ConfigCheck.BadConfiguration e) {
            err.println("vagoth: bad configuration: " + e.getMessage());
            return OneShot.FAILED;
        } catch (IOException e) {
            err.println("vagoth: cannot read the configuration in " + home.etc() + ": " + describeIo(e));
            return OneShot.FAILED;
        }
        if (args.length == 0) {
            if (DaemonServer.answering(home.socket())) {
                // a second container would run a second background scheduler on the same jobs
                err.println("vagoth: a daemon serves " + home.root() + "; bin/vagoth attaches a shell to it");
                return OneShot.FAILED;
            }
            return interactive(dist, home);
        }
        if (args[0].equals("daemon")) {
            return daemon(dist, home, log, Arrays.copyOfRange(args, 1, args.length), err);
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (command.equals("-h") || command.equals("--help")) {
            command = "help";
        }
        return oneShot(dist, home, command, rest, out, err);
    }

    /** Whether {@code args} are the launcher's own work rather than a command for the daemon. */
    static boolean notACommand(String[] args) {
        return args[0].equals("daemon") || args[0].equals("reset-store")
                || args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /** Why this process may not run in {@code home} (another user owns it), or null. */
    static String otherOwnerRefusal(VagothHome home) {
        String otherOwner = home.otherOwner();
        if (otherOwner == null || "1".equals(System.getenv(VagothHome.ALLOW_OTHER_OWNER))) {
            return null;
        }
        String me = System.getProperty("user.name");
        return "vagoth: VAGOTH_HOME " + home.root() + " belongs to " + otherOwner + ", not to " + me
                + ": refusing to run in it (its agents would run as " + me + " and its files change owner); run as "
                + otherOwner + ", or set " + VagothHome.ALLOW_OTHER_OWNER + "=1 if you mean it";
    }

    /**
     * {@code bin/vagoth daemon}: the container in the foreground, watching etc/
     * and deploy/, serving commands on its socket, until SIGTERM or SIGINT;
     * then it stops cleanly (running jobs finish or are recorded as
     * interrupted, the registry is closed, the socket removed). With
     * {@code --background} (how {@code bin/vagoth} starts one by itself) it
     * also exits after {@code idle.exit.minutes} without a command or a job.
     */
    private static int daemon(Path dist, VagothHome home, ConsoleLog log, String[] args, PrintStream err) {
        boolean background = args.length == 1 && args[0].equals("--background");
        if (args.length > 0 && !background) {
            err.println("vagoth: usage: vagoth daemon [start | status | stop]"
                    + (args[0].equals("start") ? " ('daemon start' is bin/vagoth's: run it without --no-daemon)" : ""));
            return OneShot.USAGE;
        }
        java.nio.channels.FileLock lock;
        try {
            lock = DaemonControl.lockHome(home);
        } catch (IOException e) {
            err.println("vagoth: cannot take the daemon lock " + DaemonControl.lockFile(home) + ": " + describeIo(e));
            return OneShot.FAILED;
        }
        daemonLock = lock; // held, and reachable, until this process exits
        if (lock == null) {
            err.println("vagoth: a daemon already runs for " + home.root() + DaemonControl.running(home)
                    .map(p -> " (pid " + p.pid() + ")").orElse("") + "; 'vagoth daemon status' says more");
            return OneShot.FAILED;
        }
        double idleMinutes;
        try {
            idleMinutes = background ? DaemonControl.idleExitMinutes(home) : 0;
        } catch (IOException | ConfigCheck.BadConfiguration e) {
            err.println("vagoth: bad configuration: " + e.getMessage()); // checked before, unless it changed since
            return OneShot.FAILED;
        }
        try (Container c = Container.start(dist, home, Container.Mode.DAEMON);
                ConfigWatcher watcher = new ConfigWatcher(c, dist, home, CONFIG_POLL_MS)) {
            new OneShot(c, System.out, err).seed(home, dist);
            try (DaemonServer server = new DaemonServer(home.socket(), c, log)) {
                DaemonControl.writePid(home);
                DaemonControl.sayReady();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    server.close();
                    c.close();
                    DaemonControl.removePid(home);
                }, "vagoth-stop"));
                err.println("vagoth: daemon serving " + home.root() + " on " + home.socket() + " (pid "
                        + ProcessHandle.current().pid() + ")");
                if (idleMinutes > 0) {
                    exitWhenIdle(server, idleMinutes, err);
                }
                c.awaitStop();
            }
            return OneShot.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OneShot.FAILED;
        } catch (Exception e) {
            err.println("vagoth: cannot start the daemon: " + describe(e));
            return OneShot.FAILED;
        }
    }

    /** The home's daemon lock, while this process is its daemon: kept reachable so it is never released early. */
    private static java.nio.channels.FileLock daemonLock;

    /** Exits (cleanly, as on SIGTERM) once the daemon has been idle for {@code minutes}. */
    private static void exitWhenIdle(DaemonServer server, double minutes, PrintStream err) {
        long idle = (long) (minutes * 60e9);
        long every = Math.max(100, Math.min(30_000, idle / 4_000_000));
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "vagoth-idle-exit");
                    t.setDaemon(true);
                    return t;
                });
        timer.scheduleWithFixedDelay(() -> {
            if (server.idleFor(idle)) {
                err.println("vagoth: no command for " + minutes + " minute(s) and no job open: the daemon exits"
                        + " (idle.exit.minutes in etc/vagoth.daemon.cfg)");
                timer.shutdown();
                System.exit(OneShot.OK); // the shutdown hook stops it as SIGTERM would
            }
        }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static int oneShot(Path dist, VagothHome home, String command, String[] args, PrintStream out,
            PrintStream err) {
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Interrupts.onCtrlC(err, () -> "vagoth: interrupted: finishing what is running so nothing is left half done"
                + " (Ctrl-C again to force)", () -> interrupted.set(true));
        try (Container c = Container.start(dist, home, Container.Mode.ONE_SHOT)) {
            Runtime.getRuntime().addShutdownHook(new Thread(c::close, "vagoth-stop"));
            OneShot oneShot = new OneShot(c, out, err);
            oneShot.seed(home, dist);
            int status = oneShot.run(command, args, isTerminal());
            return interrupted.get() && status == OneShot.OK ? Interrupts.INTERRUPTED : status;
        } catch (Exception e) {
            err.println("vagoth: cannot start the container: " + describe(e));
            return OneShot.FAILED;
        }
    }

    /** The shell on a container of its own: the same shell as the one attached to a daemon. */
    private static int interactive(Path dist, VagothHome home) {
        try (Container c = Container.start(dist, home, Container.Mode.INTERACTIVE);
                ConfigWatcher watcher = new ConfigWatcher(c, dist, home, CONFIG_POLL_MS)) {
            Runtime.getRuntime().addShutdownHook(new Thread(c::close, "vagoth-stop"));
            new OneShot(c, System.out, System.err).seed(home, dist);
            return new Shell(new EmbeddedShell(c)).run(home.history());
        } catch (Exception e) {
            System.err.println("vagoth: cannot start the container: " + describe(e));
            return OneShot.FAILED;
        }
    }

    /**
     * This distribution's version, as its launcher was built: the
     * Bundle-Version of the launcher's own jar (not the first manifest on the
     * class path, which may be a library's).
     */
    static String version() {
        java.net.URL self = Launcher.class.getResource("Launcher.class");
        String jar = self == null ? "" : self.toString();
        int bang = jar.indexOf("!/");
        if (!jar.startsWith("jar:") || bang < 0) {
            return "(unknown version)";
        }
        try (java.io.InputStream in = new java.net.URL(jar.substring(0, bang + 2) + "META-INF/MANIFEST.MF").openStream()) {
            String v = in == null ? null : new java.util.jar.Manifest(in).getMainAttributes().getValue("Bundle-Version");
            return v == null ? "(unknown version)" : v.replaceFirst("\\.SNAPSHOT$", "-SNAPSHOT");
        } catch (IOException e) {
            return "(unknown version)";
        }
    }

    /** {@code max.bytes} of {@code etc/vagoth.log.cfg}: when {@code vagoth.log} is rotated (default 10 MiB). */
    private static long logMaxBytes(VagothHome home) throws IOException {
        Path cfg = home.etc().resolve("vagoth.log.cfg");
        if (!java.nio.file.Files.exists(cfg)) {
            return 10L << 20;
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(cfg)) {
            p.load(in);
        }
        String v = p.getProperty("max.bytes", String.valueOf(10L << 20)).trim();
        try {
            long n = Long.parseLong(v);
            if (n >= 1024) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException("bad configuration: " + cfg + ": max.bytes = " + v + ": must be a whole number of at least 1024");
    }

    /** An I/O failure as an operator reads it: what was refused, on which path. */
    static String describeIo(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT) + ": " + f.getFile();
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2")
                    .toLowerCase(java.util.Locale.ROOT) + ": " + f.getFile();
        }
        return String.valueOf(e.getMessage());
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(": ").append(c.getMessage() == null ? c.toString() : c.getMessage());
        }
        return sb.toString();
    }

    static boolean isTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && System.getenv("NO_COLOR") == null && term != null && !term.equals("dumb");
    }
}
