package vagoth.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

import vagoth.api.Manager;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.registry.Registry;

/** The real bundles in a real Felix: Gogo commands reach the file registry through the manager. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ContainerIT {
    @Inject
    BundleContext context;
    @Inject
    CommandProcessor processor;
    @Inject
    Manager manager;
    @Inject
    Registry registry;

    @Configuration
    public Option[] config() throws Exception {
        Path home = Files.createTempDirectory("vagoth-itest-home");
        return options(junitBundles(), frameworkProperty("vagoth.home").value(home.toString()),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                Containers.bundles("vagoth.driver.geats", "vagoth.shell"));
    }

    private String run(String line) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(InputStream.nullInputStream(), ps, ps);
        try {
            Object result = session.execute(line);
            return result == null ? out.toString(StandardCharsets.UTF_8) : result.toString();
        } finally {
            session.close();
        }
    }

    @Test
    public void gogoCommandsManageNodesInTheFileRegistry() throws Exception {
        assertEquals("new: OK (devnode1)", run("vagoth:new devnode1 template=debian"));
        assertEquals("devnode1    state=unknown    type=vm  parent=", run("vagoth:list devnode1"));
        assertEquals(Map.of("template", "debian"), registry.getNode("devnode1").definition());
        Path wal = Path.of(context.getProperty("vagoth.home"), "var", "registry", "wal.log");
        assertTrue("the node is in the registry's log", Files.readString(wal).contains("\"devnode1\""));
    }

    @Test
    public void failuresComeBackAsTheOriginalsMessages() throws Exception {
        manager.provisioner().provision(ProvisionRequest.of("hyper1", "hv", Map.of()));
        try {
            run("vagoth:info nosuch");
        } catch (RuntimeException e) {
            assertEquals("info: Node nosuch not found in registry. (nosuch)", e.getMessage());
            return;
        }
        throw new AssertionError("info of an unknown node did not fail");
    }

    @Test
    public void pluginsShowsWhatIsActiveAndWhereItComesFrom() throws Exception {
        String report = run("vagoth:plugins");
        assertTrue(report, report.lines().anyMatch(l -> l.matches("registry +file +active +vagoth.registry.file .*")));
        assertTrue(report, report.lines().anyMatch(l -> l.matches("scheduler +sync +active +vagoth.scheduler.sync .*")));
        assertTrue(report, report.lines().anyMatch(l -> l.matches("allocator +capacity +active +vagoth.allocator.capacity .*")));
        assertTrue(report, report.lines().anyMatch(l -> l.matches("monitor +default +active +vagoth.monitor .*")));
        assertTrue(report, report.lines().anyMatch(l -> l.matches("action +start +in use +vagoth.virt .*")));
    }

    @Test
    public void aDriverIsInUseOnlyWhileAHypervisorNamesIt() throws Exception {
        registry.getNodes(vagoth.api.NodeQuery.all().withType("hv")).stream()
                .filter(n -> "geats".equals(n.definition().get("driver"))).forEach(n -> registry.deleteNode(n.id()));
        assertTrue(run("vagoth:plugins"), run("vagoth:plugins").lines()
                .anyMatch(l -> l.matches("driver +geats +present +vagoth.driver.geats .*")));
        manager.provisioner().provision(ProvisionRequest.of("hvg", "hv", Map.of("driver", "geats", "agent", "true")));
        try {
            assertTrue(run("vagoth:plugins"), run("vagoth:plugins").lines()
                    .anyMatch(l -> l.matches("driver +geats +in use +vagoth.driver.geats .*")));
            assertTrue(run("vagoth:plugins"), run("vagoth:plugins").lines()
                    .anyMatch(l -> l.matches("node type +hv +in use +vagoth.virt .*")));
        } finally {
            registry.deleteNode("hvg");
        }
    }

    @Test
    public void theDefaultServicesAreWired() {
        assertEquals("file", ((org.osgi.framework.ServiceReference<?>) context.getServiceReference(Registry.class))
                .getProperty("vagoth.registry"));
        assertEquals("the inline scheduler is the one bound by default", "sync",
                context.getServiceReference(vagoth.api.scheduler.Scheduler.class).getProperty("vagoth.scheduler"));
        assertEquals(Set.of("hv", "vm"), manager.nodeTypes());
        assertTrue(manager.actions().toString(), manager.actions().containsAll(Set.of("define", "start", "stop",
                "shutdown", "reboot", "undefine", "provision", "deprovision", "migrate", "poll")));
    }
}
