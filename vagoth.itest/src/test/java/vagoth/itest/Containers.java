package vagoth.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;


import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ops4j.pax.exam.Option;

/**
 * What the in-container tests share: the base container bnd resolved for
 * cnf/run/itest.bndrun, the just-built bundles by file URL, and an agent
 * command line.
 */
final class Containers {
    private static final String SCR = "org.apache.felix.scr";

    private Containers() {
    }

    private static File dir() {
        return new File(System.getProperty("vagoth.bundles"));
    }

    /** The base container's bundles: the -runbundles the resolver wrote into cnf/run/itest.bndrun. */
    static List<String> resolved() {
        try {
            String bndrun = Files.readString(Path.of(System.getProperty("vagoth.itest.bndrun")));
            int at = bndrun.indexOf("-runbundles:");
            if (at < 0) {
                throw new AssertionError("cnf/run/itest.bndrun has no -runbundles: build vagoth.itest to resolve it");
            }
            List<String> names = new ArrayList<>();
            Matcher m = Pattern.compile("([A-Za-z0-9_.-]+);version=").matcher(bndrun.substring(at));
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jars in the bundles directory by symbolic name. */
    private static Map<String, File> bySymbolicName() {
        Map<String, File> jars = new HashMap<>();
        for (File f : dir().listFiles((d, n) -> n.endsWith(".jar"))) {
            try (JarFile jar = new JarFile(f)) {
                String bsn = jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
                if (bsn != null) {
                    jars.put(bsn.split(";")[0].trim(), f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return jars;
    }

    /** The resolved base container, then {@code more} (symbolic names), with SCR last so components start configured. */
    static Option bundles(String... more) {
        Map<String, File> jars = bySymbolicName();
        List<String> all = new ArrayList<>(resolved());
        all.addAll(List.of(more));
        all.remove(SCR);
        all.add(SCR);
        List<Option> options = new ArrayList<>();
        for (String bsn : all) {
            File f = jars.get(bsn);
            if (f == null) {
                throw new AssertionError("no bundle " + bsn + " in " + dir());
            }
            options.add(bundle(f.toURI().toString()));
        }
        return composite(options.toArray(Option[]::new));
    }

    static File jar(String name) {
        return new File(dir(), name + ".jar");
    }

    static final long PATIENCE_MS = 120_000;

    /** Waits (up to {@link #PATIENCE_MS}, failing after) until the job has ended. */
    static vagoth.api.job.Job awaitFinished(vagoth.api.Manager manager, String id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + PATIENCE_MS;
        while (true) {
            vagoth.api.job.Job j = manager.jobs().get(id).orElseThrow();
            if (j.state().isFinished()) {
                return j;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("job " + id + " never finished");
            }
            Thread.sleep(20);
        }
    }

    /** Chooses the scheduler through Config Admin and waits until the manager uses it. */
    static void useScheduler(org.osgi.service.cm.ConfigurationAdmin config, vagoth.api.Manager manager, String name)
            throws Exception {
        java.util.Dictionary<String, Object> props = new java.util.Hashtable<>();
        props.put("scheduler.target", "(vagoth.scheduler=" + name + ")");
        config.getConfiguration("vagoth.manager", "?").update(props);
        long deadline = System.currentTimeMillis() + PATIENCE_MS;
        while (!activeScheduler().equals(name)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the manager never switched to " + name);
            }
            Thread.sleep(20);
        }
    }

    /**
     * The name ({@code vagoth.scheduler}) of the scheduler the manager is bound
     * to, as the plugin inventory reports it from service properties; "" in the
     * moment between two.
     */
    private static String activeScheduler() {
        org.osgi.framework.BundleContext ctx = org.osgi.framework.FrameworkUtil.getBundle(Containers.class)
                .getBundleContext();
        org.osgi.framework.ServiceReference<vagoth.api.Plugins> ref = ctx.getServiceReference(vagoth.api.Plugins.class);
        if (ref == null) {
            return "";
        }
        vagoth.api.Plugins plugins = ctx.getService(ref);
        if (plugins == null) {
            return "";
        }
        try {
            return plugins.plugins().stream().filter(p -> p.concept().equals("scheduler")
                    && p.state() == vagoth.api.Plugins.State.ACTIVE).map(vagoth.api.Plugins.Plugin::name).findFirst()
                    .orElse("");
        } finally {
            ctx.ungetService(ref);
        }
    }

    /** The bundled agent, simulating a hypervisor whose state lives in {@code state}. */
    static String simAgent(Path state) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "'" + java + "' -XX:TieredStopAtLevel=1 -cp '" + jar("vagoth.agent") + File.pathSeparator + jar("gson")
                + "' vagoth.agent.Agent --backend sim --state '" + state + "'";
    }
}
