package vagoth.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.BooleanSupplier;

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

import vagoth.api.Manager;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.VagothException;
import vagoth.api.allocator.AllocationException;
import vagoth.api.virt.VirtualMachine;

/**
 * A living container, with FileInstall watching an etc/ and a deploy/
 * directory as the daemon does: a third-party driver dropped into deploy/ is
 * usable at once and, removed, gone at once with a clear error; editing a
 * .cfg in etc/ swaps the allocator without a restart.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT {
    private static final long PATIENCE_MS = 60_000;
    @Inject
    Manager manager;
    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        Path home = Files.createTempDirectory("vagoth-itest-home");
        Path etc = Files.createDirectories(home.resolve("etc"));
        Path deploy = Files.createDirectories(home.resolve("deploy"));
        return options(junitBundles(), frameworkProperty("vagoth.home").value(home.toString()),
                frameworkProperty("felix.fileinstall.dir").value(etc + "," + deploy),
                frameworkProperty("felix.fileinstall.poll").value("100"),
                frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
                frameworkProperty("felix.fileinstall.filter").value(".*\\.(cfg|jar)"),
                frameworkProperty("vagoth.example.driver").value(Containers.jar("vagoth-example-driver").toString()),
                Containers.bundles("org.apache.felix.fileinstall", "vagoth.allocator.hint"));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + PATIENCE_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }

    private boolean exampleDriverPresent() {
        try {
            return context.getServiceReferences(vagoth.api.driver.Driver.class, "(vagoth.driver=example)").size() > 0;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean exampleDriverBound() {
        try {
            ((vagoth.api.virt.Hypervisor) manager.getNode("memhv")).driver();
            return true;
        } catch (VagothException e) {
            return false;
        }
    }

    private boolean exampleBundleInstalled() {
        for (Bundle b : context.getBundles()) {
            if ("vagoth-example-driver".equals(b.getSymbolicName())) {
                return true;
            }
        }
        return false;
    }

    private VirtualMachine vm(String id) {
        if (!manager.registry().contains(id)) {
            manager.provisioner().provision(ProvisionRequest.of(id, "vm", Map.of()));
        }
        return (VirtualMachine) manager.getNode(id);
    }

    @Test(timeout = 300_000) // it waits on bundles, services and jobs: a hang fails here instead of holding the build
    public void aThirdPartyDriverComesAndGoesWithItsJarAndTheAllocatorFollowsEtc() throws Exception {
        Path home = Path.of(context.getProperty("vagoth.home"));
        manager.provisioner().provision(new ProvisionRequest("memhv", "memhv", "hv", null, Map.of("driver", "example"),
                null, null));

        VagothException missing = assertThrows(() -> vm("vm1").define("memhv"));
        assertEquals("memhv: no driver 'example' is installed (installed: default)", missing.getMessage());

        Path jar = home.resolve("deploy/vagoth-example-driver.jar");
        Files.copy(Path.of(context.getProperty("vagoth.example.driver")), jar, StandardCopyOption.REPLACE_EXISTING);
        // its service registered, and bound by the hypervisor type that hands it out (a moment later, on DS's thread)
        await("the example driver to be deployed", () -> exampleDriverPresent() && exampleDriverBound());
        vm("vm1").define("memhv");
        vm("vm1").start();
        manager.action("poll", Map.of());
        assertEquals("running", manager.registry().getNode("vm1").state());

        Files.delete(jar);
        await("the example driver to be removed", () -> !exampleDriverPresent() && !exampleBundleInstalled());
        VagothException gone = assertThrows(() -> vm("vm1").stop());
        assertEquals("memhv: no driver 'example' is installed (installed: default)", gone.getMessage());
        assertEquals("error", manager.registry().getNode("vm1").state());

        Files.writeString(home.resolve("etc/vagoth.virt.cfg"), "allocator.target = (vagoth.allocator=hint)\n");
        // the capacity allocator places vm2 on memhv (whose driver is gone: the define then fails there);
        // the hint allocator refuses it before any driver is asked
        await("the hint allocator to be chosen through etc/", () -> allocatorRefuses("vm2"));
        Files.writeString(home.resolve("etc/vagoth.virt.cfg"), "allocator.target = (vagoth.allocator=capacity)\n");
        await("the capacity allocator to be back", () -> !allocatorRefuses("vm3"));
        assertTrue(manager.registry().getNode("vm3").metadata().get("last_error").contains("no driver 'example'"));
    }

    /** Whether defining the VM without a hint fails in the allocator (rather than later, at the driver). */
    private boolean allocatorRefuses(String id) {
        try {
            vm(id).define(null);
            return false;
        } catch (AllocationException e) {
            return e.reasons().containsKey("(hint allocator)");
        } catch (VagothException e) {
            return false;
        }
    }

    private static VagothException assertThrows(Runnable r) {
        try {
            r.run();
        } catch (VagothException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }
}
