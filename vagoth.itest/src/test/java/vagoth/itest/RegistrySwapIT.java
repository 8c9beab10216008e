package vagoth.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

import vagoth.api.Manager;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.virt.VirtualMachine;

/**
 * The registry implementation replaced in a running container (its bundle
 * stopped and started, twice) while jobs run and a writer keeps writing: no
 * job fails, no acknowledged change is lost, and calls made during the swap
 * wait for the new registry instead of failing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistrySwapIT {
    @Inject
    Manager manager;
    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin config;

    @Configuration
    public Option[] config() throws Exception {
        Path home = Files.createTempDirectory("vagoth-itest-home");
        return options(junitBundles(), frameworkProperty("vagoth.home").value(home.toString()),
                frameworkProperty("vagoth.test.agent").value(Containers.simAgent(home.resolve("sim"))),
                Containers.bundles("vagoth.scheduler.thread", "vagoth.driver.geats"));
    }

    private Bundle registryBundle() {
        for (Bundle b : context.getBundles()) {
            if ("vagoth.registry.file".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no registry bundle");
    }

    @Test(timeout = 300_000) // it waits on bundles, services and jobs: a hang fails here instead of holding the build
    public void theRegistryIsReplacedWhileWorkRunsAndNothingIsLost() throws Exception {
        Containers.useScheduler(config, manager, "thread");
        manager.provisioner().provision(new ProvisionRequest("hyper1", "hyper1", "hv", null,
                Map.of("driver", "geats", "agent", context.getProperty("vagoth.test.agent")), null, null));
        manager.provisioner().provision(ProvisionRequest.of("counter", "vm", Map.of()));
        List<String> vms = List.of("vm0", "vm1", "vm2");
        for (String vm : vms) {
            manager.provisioner().provision(ProvisionRequest.of(vm, "vm", Map.of()));
        }

        AtomicInteger acknowledged = new AtomicInteger(-1);
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 1500; i++) {
                    manager.registry().updateMetadata("counter", Map.of("n", String.valueOf(i)), List.of());
                    acknowledged.set(i);
                }
            } catch (Throwable t) {
                writerFailed.set(t);
            }
        });
        List<String> jobs = new ArrayList<>();
        writer.start();
        for (int round = 0; round < 2; round++) {
            for (String vm : vms) {
                VirtualMachine v = (VirtualMachine) manager.getNode(vm);
                jobs.add(v.start().id());
                jobs.add(v.stop().id());
            }
            Bundle registry = registryBundle();
            registry.stop();   // the registry goes: calls wait for the next one
            Thread.sleep(100);
            registry.start();  // a new instance over the same files
        }
        assertTrue("the writer was still writing when the registry was swapped", writer.isAlive()
                || acknowledged.get() < 1499);
        writer.join(Containers.PATIENCE_MS);
        assertEquals("the writer never failed: " + writerFailed.get(), null, writerFailed.get());
        assertEquals(1499, acknowledged.get());
        assertEquals("1499", manager.registry().getNode("counter").metadata().get("n"));
        for (String id : jobs) {
            Job j = Containers.awaitFinished(manager, id);
            assertEquals("no job fails or is lost across the swaps: " + j, JobState.DONE, j.state());
        }
    }
}
