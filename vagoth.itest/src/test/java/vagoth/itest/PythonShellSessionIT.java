package vagoth.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeNotFoundException;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.provision.ProvisioningException;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;

/**
 * The original README's Python-shell session, replayed through the Java API
 * in a real Felix with the real bundles; hyper1 is reached through the Geats
 * driver and the agent, run as a separate process (simulated back end).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PythonShellSessionIT {
    @Inject
    Manager manager;

    @Configuration
    public Option[] config() throws Exception {
        Path home = Files.createTempDirectory("vagoth-itest-home");
        String agent = Containers.simAgent(home.resolve("sim"));
        return options(junitBundles(), frameworkProperty("vagoth.home").value(home.toString()),
                frameworkProperty("vagoth.test.agent").value(agent), Containers.bundles("vagoth.driver.geats", "vagoth.shell"));
    }

    @Test
    public void theOriginalSessionReplayed() {
        String agent = org.osgi.framework.FrameworkUtil.getBundle(getClass()).getBundleContext()
                .getProperty("vagoth.test.agent");
        manager.provisioner().provision(new ProvisionRequest("hyper1", "hyper1", "hv", null,
                Map.of("driver", "geats", "agent", agent), null, null));

        // >>> manager.list_nodes()
        assertEquals(List.of("hyper1"), manager.listNodes());
        // >>> manager.get_node('hyper1')
        assertTrue(manager.getNode("hyper1") instanceof Hypervisor);
        // >>> manager.provisioner.provision("devnode1", node_name="devnode1", node_type="vm", definition={"template": "debian"})
        manager.provisioner().provision(new ProvisionRequest("devnode1", "devnode1", "vm", null,
                Map.of("template", "debian"), null, null));
        // >>> node = manager.get_node('devnode1'); node.state
        VirtualMachine node = (VirtualMachine) manager.getNode("devnode1");
        assertEquals("unknown", node.state());
        // >>> node.start(); manager.action('poll'); node.refresh(); node.state
        node.start();
        manager.action("poll", Map.of());
        node.refresh();
        assertEquals("running", node.state());
        // >>> node.stop(); manager.action('poll'); node.refresh(); node.state
        node.stop();
        manager.action("poll", Map.of());
        node.refresh();
        assertEquals("stopped", node.state());
        // >>> manager.provisioner.deprovision('devnode1')
        try {
            manager.provisioner().deprovision("devnode1");
            fail("deprovisioning an assigned node must be refused");
        } catch (ProvisioningException e) {
            assertEquals("Cannot deprovision node while it's still assigned to a parent", e.getMessage());
        }
        // >>> node.deprovision(); manager.action('poll'); node.refresh(); node.state, node.parent
        node.deprovision();
        manager.action("poll", Map.of());
        node.refresh();
        assertEquals("unassigned", node.state());
        Node record = node.node();
        assertNull(record.parent());
        // >>> manager.provisioner.deprovision('devnode1'); node.refresh()
        manager.provisioner().deprovision("devnode1");
        try {
            node.refresh();
            fail("the node is gone");
        } catch (NodeNotFoundException e) {
            assertEquals("Node devnode1 not found in registry.", e.getMessage());
        }
        assertFalse(manager.listNodes().contains("devnode1"));
    }
}
