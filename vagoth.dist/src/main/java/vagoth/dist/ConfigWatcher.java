package vagoth.dist;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches {@code etc/*.cfg} in a long-lived container (the daemon, the
 * shell) and hands each edit to Config Admin only once it is checked like at
 * start-up: a bad value is reported (file, key, reason) in the log and the
 * component keeps the configuration it has. A removed file returns its
 * component to its defaults. A jar dropped into {@code deploy/} that is not
 * a bundle is named in the log once (FileInstall skips it).
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("vagoth.config");

    private final Container container;
    private final Path etc;
    private final Path dist;
    private final Path deploy;
    private final ScheduledExecutorService timer;
    /** What each file held when last looked at (applied or refused). */
    private final Map<Path, String> seen = new HashMap<>();
    /** Jars in deploy/ already looked at, with their size and time, so each bad one is named once. */
    private final Map<Path, String> jarsSeen = new HashMap<>();

    ConfigWatcher(Container container, Path dist, VagothHome home, long periodMs) throws IOException {
        this.container = container;
        this.etc = home.etc();
        this.dist = dist;
        this.deploy = home.deploy();
        for (Path f : files()) {
            seen.put(f, content(f));
        }
        for (Path jar : Plugins.jars(deploy)) {
            jarsSeen.put(jar, stamp(jar)); // the launcher named the bad ones at start
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vagoth-config-watcher");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::scanQuietly, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private Set<Path> files() throws IOException {
        Set<Path> out = new HashSet<>();
        if (Files.isDirectory(etc)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(etc, "*.cfg")) {
                ds.forEach(out::add);
            }
        }
        return out;
    }

    private static String content(Path f) throws IOException {
        return Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Checking " + etc + " failed: " + e.getMessage());
        }
    }

    void scan() throws IOException {
        Set<Path> now = files();
        for (Path f : now) {
            String text = content(f);
            if (text.equals(seen.get(f))) {
                continue;
            }
            seen.put(f, text);
            try {
                Properties p = ConfigCheck.read(f);
                List<Path> jars = new java.util.ArrayList<>(Plugins.jars(dist.resolve("bundle")));
                jars.removeIf(j -> !j.getFileName().toString().startsWith("vagoth."));
                jars.addAll(Plugins.usable(deploy, null));
                ConfigCheck.of(jars).check(f, p);
                container.configure(f, p);
            } catch (ConfigCheck.BadConfiguration e) {
                LOG.log(Level.WARNING, "bad configuration: " + e.getMessage() + "; the change is not applied (it is"
                        + " once the file is fixed)");
            }
        }
        for (Path gone : new HashSet<>(seen.keySet())) {
            if (!now.contains(gone)) {
                seen.remove(gone);
                container.unconfigure(gone);
            }
        }
        List<Path> jars = Plugins.jars(deploy);
        jarsSeen.keySet().retainAll(jars);
        for (Path jar : jars) {
            String stamp = stamp(jar);
            if (!stamp.equals(jarsSeen.put(jar, stamp))) {
                String why = Plugins.problem(jar);
                if (why != null) {
                    LOG.log(Level.WARNING, "skipping " + jar + ": " + why);
                }
            }
        }
    }

    private static String stamp(Path jar) throws IOException {
        return Files.size(jar) + "@" + Files.getLastModifiedTime(jar).toMillis();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
