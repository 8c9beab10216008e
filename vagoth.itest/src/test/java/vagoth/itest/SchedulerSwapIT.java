package vagoth.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

import vagoth.api.Manager;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.virt.VirtualMachine;

/** Choosing the scheduler is configuration: changing it in a running container swaps it, with jobs in flight. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SchedulerSwapIT {
    @Inject
    Manager manager;
    @Inject
    ConfigurationAdmin config;

    @Configuration
    public Option[] config() throws Exception {
        Path home = Files.createTempDirectory("vagoth-itest-home");
        String agent = Containers.simAgent(home.resolve("sim"));
        return options(junitBundles(), frameworkProperty("vagoth.home").value(home.toString()),
                frameworkProperty("vagoth.test.agent").value(agent),
                Containers.bundles("vagoth.scheduler.thread", "vagoth.driver.geats"));
    }

    private void useScheduler(String name) throws Exception {
        Containers.useScheduler(config, manager, name);
    }

    private Job awaitFinished(String id) throws InterruptedException {
        return Containers.awaitFinished(manager, id);
    }

    @Test(timeout = 300_000) // it waits on bundles, services and jobs: a hang fails here instead of holding the build
    public void theSchedulerIsSwappedByConfiguration() throws Exception {
        String agent = org.osgi.framework.FrameworkUtil.getBundle(getClass()).getBundleContext()
                .getProperty("vagoth.test.agent");
        manager.provisioner().provision(new ProvisionRequest("hyper1", "hyper1", "hv", null,
                Map.of("driver", "geats", "agent", agent), null, null));
        manager.provisioner().provision(ProvisionRequest.of("devnode1", "vm", Map.of("template", "debian")));

        useScheduler("thread");
        Job queued = ((VirtualMachine) manager.getNode("devnode1")).start();
        assertEquals("the threaded scheduler answers before the job has run", JobState.QUEUED, queued.state());
        assertEquals(JobState.DONE, awaitFinished(queued.id()).state());
        assertEquals("hyper1", manager.registry().getNode("devnode1").parent());

        // queue work on the VM (each step is a real agent process), then swap while it waits
        java.util.List<String> queuedIds = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            VirtualMachine vm = (VirtualMachine) manager.getNode("devnode1");
            queuedIds.add((i % 2 == 0 ? vm.stop() : vm.start()).id());
        }
        assertTrue("work is waiting in the queue", queuedIds.stream()
                .anyMatch(id -> manager.jobs().get(id).orElseThrow().state() == JobState.QUEUED));
        useScheduler("sync");
        Job inline = ((VirtualMachine) manager.getNode("devnode1")).stop();
        assertEquals("the inline scheduler has run it when it answers", JobState.DONE, inline.state());
        assertEquals("stopping", manager.registry().getNode("devnode1").state());
        java.time.Instant previous = java.time.Instant.MIN;
        for (String id : queuedIds) {
            Job j = awaitFinished(id);
            assertEquals("no queued job is lost in the swap: " + j, JobState.DONE, j.state());
            assertTrue("queued jobs ran in order", !j.started().isBefore(previous));
            previous = j.started();
        }
        assertTrue(inline.started().isAfter(previous) || inline.started().equals(previous));
    }
}
