package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import vagoth.dist.VagothProcess.Result;

/**
 * Bad configuration, broken plugins, damaged registries and homes that cannot
 * be written: each is one line naming what is wrong, and nothing starts with it.
 */
class HomeAndConfigurationIT {
    @TempDir
    Path tmp;

    private Path home() {
        return tmp.resolve("home");
    }

    private Result vagoth(List<String> prefix, String... args) throws IOException, InterruptedException {
        return VagothProcess.run(home(), prefix, args);
    }

    private Result vagoth(String... args) throws IOException, InterruptedException {
        return VagothProcess.run(home(), List.of(), args);
    }

    private void append(String cfg, String line) throws IOException {
        append(home(), cfg, line);
    }

    private static void append(Path home, String cfg, String line) throws IOException {
        Files.writeString(home.resolve("etc").resolve(cfg), "\n" + line + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** One home for the cases that must change nothing (each checks that it did not): made once, web1 in it. */
    @TempDir
    static Path shared;
    /** The shared home's nodes, as made. */
    private static String sharedNodes;

    private static Path sharedHome() throws Exception {
        Path home = shared.resolve("home");
        if (sharedNodes == null) {
            assertEquals(0, VagothProcess.run(home, List.of(), "list").status());
            append(home, "vagoth.manager.cfg", "provisioner.target = (vagoth.provisioner=template)");
            assertEquals(0, VagothProcess.run(home, List.of(), "new", "web1", "template=debian").status());
            sharedNodes = VagothProcess.run(home, List.of(), "list", "--json").out();
        }
        return home;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "vagoth.registry.file.cfg      | compact.min.bytes = abc | not a whole number",
        "vagoth.manager.cfg            | swap.grace.ms = abc     | not a whole number",
        "vagoth.driver.geats.cfg       | short.timeout.s = abc   | not a whole number",
        "vagoth.driver.geats.cfg       | short.timeout.s = 0     | must be at least 1",
        "vagoth.allocator.capacity.cfg | strategy = bogus        | must be one of spread, pack",
        "vagoth.monitor.cfg            | interval.s = abc        | not a whole number",
        "vagoth.monitor.cfg            | interval.s = -5         | must be at least 0",
        "vagoth.scheduler.thread.cfg   | threads = -1            | must be at least 1",
        "vagoth.jobs.file.cfg          | retention.max = -5      | must be at least 0",
        "vagoth.provisioner.template.cfg | range = 10.0.0.250-10.0.0.10 | its first address comes after its last",
        "vagoth.provisioner.template.cfg | range = 10.0.1.10-10.0.1.20 | not inside subnet 10.0.0.0/24",
        "vagoth.manager.cfg            | scheduler.target = (vagoth.scheduler=nosuch | not a service filter, like"
            + " (vagoth.scheduler=thread)",
    })
    @Timeout(120)
    void aBadValueIsNamedWithFileAndKeyAndNothingRuns(String cfg, String line, String why) throws Exception {
        Path home = sharedHome();
        Path file = home.resolve("etc").resolve(cfg);
        append(home, cfg, line);
        try {
            Result r = VagothProcess.run(home, List.of(), "new", "vm1");
            assertEquals(1, r.status());
            String key = line.substring(0, line.indexOf('=')).trim();
            assertEquals("vagoth: bad configuration: " + file + ": " + line + ": " + why, r.err());
            assertFalse(VagothProcess.run(home, List.of(), "--help").err().contains("Exception"), key);
        } finally {
            Files.writeString(file, Files.readString(file).replace(line, ""));
        }
        assertEquals(sharedNodes, VagothProcess.run(home, List.of(), "list", "--json").out(),
                "the command ran despite the bad value");
    }

    @Test
    @Timeout(120)
    void aDaemonDoesNotStartWithABadValue() throws Exception {
        assertEquals(0, vagoth("list").status());
        append("vagoth.monitor.cfg", "threads = 0");
        Result r = vagoth("daemon");
        assertEquals(1, r.status());
        assertTrue(r.err().endsWith("vagoth.monitor.cfg: threads = 0: must be at least 1"), r.err());
        assertFalse(Files.exists(home().resolve("var/run/vagoth.sock")));
    }

    @Test
    @Timeout(120)
    void aBrokenJarInDeployIsSkippedWithOneWarning() throws Exception {
        assertEquals(0, vagoth("list").status());
        Path broken = home().resolve("deploy").resolve("broken.jar");
        Files.writeString(broken, "not a jar");
        Result r = vagoth("new", "vm1");
        assertEquals(0, r.status(), r.err());
        assertEquals("vagoth: warning: skipping " + broken + ": not a readable jar (zip END header not found)", r.err());
        Files.delete(broken);
        try (java.util.jar.JarOutputStream j = new java.util.jar.JarOutputStream(Files.newOutputStream(broken))) {
            j.putNextEntry(new java.util.zip.ZipEntry("x.txt"));
        }
        r = vagoth("list", "vm1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("skipping " + broken + ": not an OSGi bundle"), r.err());
    }

    /** A plugin whose metatype is not XML stops nothing: its configuration is not checked, and that is said. */
    @Test
    @Timeout(120)
    void aPluginWhoseMetatypeIsNotXmlIsSaidAndStopsNothing() throws Exception {
        assertEquals(0, vagoth("list").status());
        Path plugin = home().resolve("deploy").resolve("odd.jar");
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().putValue("Manifest-Version", "1.0");
        m.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        m.getMainAttributes().putValue("Bundle-SymbolicName", "odd.plugin");
        try (java.util.jar.JarOutputStream j = new java.util.jar.JarOutputStream(Files.newOutputStream(plugin), m)) {
            j.putNextEntry(new java.util.zip.ZipEntry("OSGI-INF/metatype/odd.xml"));
            j.write("<metatype:MetaData xmlns:metatype=\"http://www.osgi.org/xmlns/metatype/v1.2.0\"><OCD id=\"x\">"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Result r = vagoth("new", "vm1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("vagoth: warning: the configuration of " + plugin + " is not checked:"
                + " OSGI-INF/metatype/odd.xml is not metatype XML ("), r.err());
        // the product's own declarations are still read: a bad value is refused, naming the file and key
        Files.writeString(home().resolve("etc/vagoth.http.cfg"), "idle.timeout.s = 2\n");
        r = vagoth("list");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("vagoth.http.cfg: idle.timeout.s = 2: must be at least 5"), r.err());
    }

    @Test
    @Timeout(120)
    void aDamagedRegistryIsOneLineWithFileAndByte() throws Exception {
        assertEquals(0, vagoth("new", "vm1").status());
        Path wal = home().resolve("var/registry/wal.log");
        String text = Files.readString(wal, StandardCharsets.ISO_8859_1);
        int at = text.lastIndexOf("\"vm1\"");
        Files.writeString(wal, text.substring(0, at) + "\"vmX\"" + text.substring(at + 5), StandardCharsets.ISO_8859_1);
        Result r = vagoth("list");
        assertEquals(1, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("list: Registry log " + wal + " is damaged at byte "), r.err());
    }

    @Test
    @Timeout(120)
    void theFrameworkCacheLivesUnderTheHomeAndDeadOnesAreCleaned() throws Exception {
        assertEquals(0, vagoth("list").status());
        Path stale = home().resolve("var/cache/felix-" + Integer.MAX_VALUE);
        Files.createDirectories(stale.resolve("bundle1"));
        assertEquals(0, vagoth("list").status());
        assertFalse(Files.exists(stale), "a dead process's cache was left");
        try (Stream<Path> left = Files.list(home().resolve("var/cache"))) {
            assertEquals(0, left.count(), "a finished command left its cache");
        }
    }

    @Test
    @Timeout(120)
    void theLogIsRotated() throws Exception {
        assertEquals(0, vagoth("list").status());
        append("vagoth.log.cfg", "max.bytes = 1024");
        assertEquals(0, vagoth("new", "vm1").status());
        for (int i = 0; i < 12; i++) { // each writes its action lines to the log
            assertEquals(0, vagoth(i % 2 == 0 ? "start" : "stop", "vm1").status());
        }
        Path log = home().resolve("var/log/vagoth.log");
        assertTrue(Files.size(log) <= 1024 + 512, "vagoth.log is " + Files.size(log) + " bytes");
        assertTrue(Files.exists(log.resolveSibling("vagoth.log.1")), "nothing was rotated");
        assertFalse(Files.exists(log.resolveSibling("vagoth.log." + (ConsoleLog.KEEP + 1))));
    }

    @Test
    @Timeout(120)
    void aHomeThatCannotBeWrittenSaysPermissionDeniedAndWhere() throws Exception {
        assertEquals(0, vagoth("list").status());
        Path log = home().resolve("var/log");
        Path dist = Path.of(System.getProperty("vagoth.dist"));
        List<String> as = List.of();
        if ("root".equals(System.getProperty("user.name"))) {
            // root may write anywhere: run as nobody a copy of the distribution it can reach, on a home it can
            // read but not write
            Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")), "no runuser to drop root");
            as = List.of("/usr/sbin/runuser", "-u", "nobody", "--", "env", "VAGOTH_ALLOW_OTHER_OWNER=1");
            Path copy = tmp.resolve("dist");
            try (Stream<Path> all = Files.walk(dist)) {
                for (Path p : all.toList()) {
                    Path to = copy.resolve(dist.relativize(p).toString());
                    Files.copy(p, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            dist = copy;
            try (Stream<Path> all = Files.walk(tmp)) {
                all.forEach(p -> {
                    p.toFile().setReadable(true, false);
                    p.toFile().setExecutable(p.toFile().isDirectory() || p.toFile().canExecute(), false);
                });
            }
            tmp.toFile().setExecutable(true, false);
        } else {
            log.toFile().setWritable(false);
        }
        try {
            Result r = VagothProcess.run(dist, home(), as, "list");
            assertEquals(1, r.status(), r.err());
            assertTrue(r.err().startsWith("vagoth: cannot prepare VAGOTH_HOME " + home() + ": permission denied: "), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        } finally {
            log.toFile().setWritable(true);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "new x ram=abc                       | 1 | new: ram=abc: not a whole number (x)",
        "new x ram=-5                        | 1 | new: ram=-5: must not be negative (x)",
        "new x cpus=1e9                      | 1 | new: cpus=1e9: not a whole number (x)",
        "new x disk=lots                     | 1 | new: disk=lots: a disk size is",
        "new --type hv h2 mem_total=-1       | 1 | new: mem_total=-1: must not be negative (h2)",
        "new --tag a=1 --tag a=2 x           | 2 | new: tag 'a' is given twice",
        "set --state bogus hyper1            | 2 | set: state 'bogus' is not one Vagoth knows",
        "wait --timeout -1 abcdef12          | 2 | wait: --timeout needs a number of seconds, 0 or more",
        "new x template=debian mac=00:00:00:00:00:00 | 1 | new: mac=00:00:00:00:00:00 is not a unicast MAC address",
        "new x template=debian ip=10.0.0.10  | 1 | new: ip=10.0.0.10 is taken by web1 (x)",
    })
    @Timeout(120)
    void badInputIsRefusedWithTheKeyAndChangesNothing(String command, int status, String message) throws Exception {
        Path home = sharedHome();
        Result r = VagothProcess.run(home, List.of(), command.split(" "));
        assertEquals(status, r.status(), r.err());
        assertTrue(r.err().startsWith(message), r.err());
        assertEquals(sharedNodes, VagothProcess.run(home, List.of(), "list", "--json").out(),
                "the refused command changed something");
    }
}
