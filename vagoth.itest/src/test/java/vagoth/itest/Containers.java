package vagoth.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;


import java.io.File;
import java.nio.file.Path;

import org.ops4j.pax.exam.Option;

/** What the in-container tests share: the just-built bundles, by file URL, and an agent command line. */
final class Containers {
    /** The base runtime every test needs, SCR last so components start configured. */
    static final String[] RUNTIME = {"org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component",
        "org.apache.felix.configadmin", "org.apache.felix.gogo.runtime", "gson", "vagoth.api", "vagoth.registry.file",
        "vagoth.core", "vagoth.provisioner.basic", "vagoth.scheduler.sync", "vagoth.jobs.file", "vagoth.virt",
        "vagoth.allocator.capacity", "vagoth.monitor"};

    private Containers() {
    }

    private static File dir() {
        return new File(System.getProperty("vagoth.bundles"));
    }

    /** {@link #RUNTIME}, then {@code more}, then SCR. */
    static Option bundles(String... more) {
        String[] all = new String[RUNTIME.length + more.length + 1];
        System.arraycopy(RUNTIME, 0, all, 0, RUNTIME.length);
        System.arraycopy(more, 0, all, RUNTIME.length, more.length);
        all[all.length - 1] = "org.apache.felix.scr";
        Option[] options = new Option[all.length];
        for (int i = 0; i < all.length; i++) {
            options[i] = bundle(new File(dir(), all[i] + ".jar").toURI().toString());
        }
        return composite(options);
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
        String want = name.equals("thread") ? "ThreadScheduler" : "SyncScheduler";
        long deadline = System.currentTimeMillis() + PATIENCE_MS;
        while (!current(manager).equals(want)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the manager never switched to " + name);
            }
            Thread.sleep(20);
        }
    }

    /** The active scheduler's class, or "" in the moment between two. */
    private static String current(vagoth.api.Manager manager) {
        try {
            return manager.scheduler().getClass().getSimpleName();
        } catch (vagoth.api.ServiceUnavailableException e) {
            return "";
        }
    }

    /** The bundled agent, simulating a hypervisor whose state lives in {@code state}. */
    static String simAgent(Path state) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "'" + java + "' -XX:TieredStopAtLevel=1 -cp '" + jar("vagoth.agent") + File.pathSeparator + jar("gson")
                + "' vagoth.agent.Agent --backend sim --state '" + state + "'";
    }
}
