package vagoth.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.util.tracker.ServiceTracker;
import vagoth.api.Installation;

/**
 * A Felix framework in a private, temporary cache, with the distribution's
 * bundles and the home's deployed plugins. Configuration from {@code etc/} is
 * given to Config Admin before SCR starts, so components start configured.
 */
final class Container implements AutoCloseable {
    private static final String SCR = "org.apache.felix.scr";
    private static final String CONFIG_ADMIN = "org.osgi.service.cm.ConfigurationAdmin";
    private static final String MANAGER_PID = "vagoth.manager";
    private static final String MONITOR_PID = "vagoth.monitor";
    private final Framework framework;
    private final Path cache;
    private Mode mode;

    private Container(Framework framework, Path cache) {
        this.framework = framework;
        this.cache = cache;
    }

    /** How the container runs. */
    enum Mode {
        /**
         * One command, then exit: no interactive shell and no watching; etc/
         * is read once and deploy/ installed directly.
         */
        ONE_SHOT(concat(List.of("org.apache.felix.gogo.jline", "org.apache.felix.gogo.command", "jline",
                "org.apache.felix.fileinstall", "vagoth.scheduler.thread"), Container.HTTP)),
        /**
         * Vagoth's interactive shell on a container of its own: FileInstall
         * watches deploy/; the shell is Vagoth's (the one attached to a
         * daemon), not Gogo's console.
         */
        INTERACTIVE(concat(List.of("org.apache.felix.gogo.jline", "jline"), Container.HTTP)),
        /**
         * The daemon: as the interactive shell, without a console shell; commands come over its socket, and
         * the remote API is served (the other modes leave the HTTP bundles out).
         */
        DAEMON(List.of("org.apache.felix.gogo.jline", "jline"));

        final List<String> skipped;

        Mode(List<String> skipped) {
            this.skipped = skipped;
        }

        private static List<String> concat(List<String> a, List<String> b) {
            List<String> all = new ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        }
    }

    /** The remote API's bundles (by file name in bundle/): only the daemon serves it. */
    static final List<String> HTTP = List.of("vagoth.http", "vagoth.console", "org.apache.felix.http.jetty12",
            "org.apache.felix.http.servlet-api", "commons-fileupload", "commons-io", "slf4j-api", "slf4j-nop");

    static Container start(Path dist, VagothHome home, Mode mode) throws IOException, BundleException {
        Path cache = frameworkCache(home);
        Map<String, String> props = runSettings();
        props.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        props.put(Installation.HOME_PROPERTY, home.root().toString());
        if (mode != Mode.ONE_SHOT) {
            // etc/ is the launcher's: every edit is checked before Config Admin sees it (ConfigWatcher)
            props.put("felix.fileinstall.dir", home.deploy().toString());
        } else {
            props.keySet().removeIf(k -> k.startsWith("felix.fileinstall."));
        }
        Framework fw = new FrameworkFactory().newFramework(props);
        Container c = new Container(fw, cache);
        try {
            fw.init();
            Trace.mark("framework initialised");
            BundleContext ctx = fw.getBundleContext();
            List<Bundle> installed = new ArrayList<>();
            for (Path jar : jars(dist.resolve("bundle"))) {
                String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
                if (!mode.skipped.contains(name)) {
                    installed.add(ctx.installBundle("reference:" + jar.toUri()));
                }
            }
            if (mode == Mode.ONE_SHOT) {
                for (Path jar : Plugins.usable(home.deploy(), null)) { // the launcher warned of the others
                    try {
                        installed.add(ctx.installBundle("reference:" + jar.toUri()));
                    } catch (BundleException e) {
                        System.err.println("vagoth: warning: skipping " + jar + ": " + e.getMessage());
                    }
                }
            }
            Trace.mark("bundles installed");
            fw.start();
            Trace.mark("framework started");
            Bundle scr = null;
            for (Bundle b : installed) {
                if (SCR.equals(b.getSymbolicName())) {
                    scr = b;
                } else if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start();
                }
            }
            Trace.mark("bundles started");
            c.mode = mode;
            c.seedConfiguration(home.etc());
            Trace.mark("configuration given");
            if (scr != null) {
                scr.start();
            }
            Trace.mark("components started");
            return c;
        } catch (IOException | BundleException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * This process's framework cache, under the home's {@code var/cache}; the
     * caches of processes that died without cleaning up are removed first.
     */
    private static Path frameworkCache(VagothHome home) throws IOException {
        Path root = home.var().resolve("cache");
        Files.createDirectories(root);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "felix-*")) {
            for (Path old : ds) {
                long pid;
                try {
                    pid = Long.parseLong(old.getFileName().toString().substring("felix-".length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ph -> !ph.isAlive()).orElse(true)) {
                    deleteTree(old);
                }
            }
        }
        Path mine = root.resolve("felix-" + ProcessHandle.current().pid());
        deleteTree(mine);
        return Files.createDirectories(mine);
    }

    /** The shared framework properties ({@code cnf/run/framework.properties}, packaged with the launcher). */
    private static Map<String, String> runSettings() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Container.class.getResourceAsStream("framework.properties")) {
            if (in == null) {
                throw new IOException("the launcher lacks its framework.properties");
            }
            p.load(in);
        }
        Map<String, String> props = new HashMap<>();
        p.forEach((k, v) -> props.put(k.toString(), v.toString().trim()));
        return props;
    }

    private static List<Path> jars(Path dir) throws IOException {
        return Plugins.jars(dir);
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    /** Hands every {@code etc/<pid>.cfg} to Config Admin (the launcher has checked them). */
    private void seedConfiguration(Path etc) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(etc, "*.cfg")) {
            for (Path file : files) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
                configure(file, p);
            }
        }
    }

    /**
     * Gives {@code file}'s properties to Config Admin (through reflection: its
     * classes live in a bundle). {@code <factory>-<name>.cfg} is a factory
     * configuration, as FileInstall names them.
     */
    void configure(Path file, Properties p) throws IOException {
        Dictionary<String, Object> dict = new Hashtable<>();
        p.forEach((k, v) -> dict.put(k.toString(), v.toString().trim()));
        dict.put("felix.fileinstall.filename", file.toUri().toString());
        String pid = pidOf(file);
        if (mode == Mode.ONE_SHOT && pid.equals(MANAGER_PID)) {
            // one command runs its actions inline; background scheduling is the daemon's
            dict.put("scheduler.target", "(vagoth.scheduler=sync)");
        } else if (mode == Mode.ONE_SHOT && pid.equals(MONITOR_PID)) {
            dict.put("interval.s", "0"); // and so is background polling
        }
        try {
            Object config = configuration(pid);
            config.getClass().getMethod("update", Dictionary.class).invoke(config, dict);
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot give configuration to Config Admin: " + e, e);
        }
    }

    /** Removes the configuration {@code file} gave: its component goes back to its defaults. */
    void unconfigure(Path file) throws IOException {
        try {
            Object config = configuration(pidOf(file));
            config.getClass().getMethod("delete").invoke(config);
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot remove configuration from Config Admin: " + e, e);
        }
    }

    private Object configuration(String pid) throws ReflectiveOperationException, IOException {
        Object admin = waitForService(CONFIG_ADMIN, 5000);
        if (admin == null) {
            throw new IOException("Config Admin did not start");
        }
        int dash = pid.indexOf('-');
        return dash < 0
                ? admin.getClass().getMethod("getConfiguration", String.class, String.class).invoke(admin, pid, "?")
                : admin.getClass().getMethod("getFactoryConfiguration", String.class, String.class, String.class)
                        .invoke(admin, pid.substring(0, dash), pid.substring(dash + 1), "?");
    }

    private static String pidOf(Path file) {
        return file.getFileName().toString().replaceFirst("\\.cfg$", "");
    }

    /** The first service of {@code className} to appear within {@code millis}, or null. */
    Object waitForService(String className, long millis) {
        return waitForService(className, null, millis);
    }

    Object waitForService(String className, String filter, long millis) {
        try {
            String f = "(&(" + Constants.OBJECTCLASS + "=" + className + ")" + (filter == null ? "" : filter) + ")";
            ServiceTracker<Object, Object> t = new ServiceTracker<>(context(), context().createFilter(f), null);
            t.open(true);
            try {
                if (t.waitForService(millis) == null) {
                    return null;
                }
                // got through the framework, not the tracker, so it stays valid after the tracker closes
                ServiceReference<Object> ref = t.getServiceReference();
                return ref == null ? null : context().getService(ref);
            } finally {
                t.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null; // stopping: nothing is waited for any more
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("not a service filter: " + filter, e); // a bug of the caller's
        }
    }

    /** Waits until a service of {@code className} is registered, without getting (and so creating) it. */
    void awaitRegistration(String className, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (context().getServiceReference(className) == null && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    ServiceReference<?>[] references(String className, String filter) {
        try {
            return context().getAllServiceReferences(className, filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("not a service filter: " + filter, e); // a bug of the caller's
        }
    }

    void awaitStop() throws InterruptedException {
        framework.waitForStop(0);
    }

    @Override
    public void close() {
        try {
            if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                framework.stop();
                framework.waitForStop(TimeUnit.SECONDS.toMillis(20));
            }
        } catch (BundleException | InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteTree(cache);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary cache left behind is harmless
        }
    }
}
