package vagoth.monitor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.monitor.PollLeases;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.PollReport;
import vagoth.api.virt.VmInfo;
import vagoth.testing.ForwardingRegistry;
import vagoth.testing.HypervisorType;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.StatusDriver;
import vagoth.testing.TestManager;

/**
 * The monitor on a registry shared by several daemons (one that offers poll
 * leases): it polls only the hypervisors whose lease it holds, and discards
 * an answer that arrives after the lease was lost. (How the leases are shared
 * out and taken over is the PostgreSQL registry's, tested there.)
 */
@Timeout(120)
class SharedMonitorTest {
    /** A registry whose poll leases the test hands out. */
    static final class LeasedRegistry extends ForwardingRegistry implements PollLeases {
        final Set<String> held = ConcurrentHashMap.newKeySet();

        LeasedRegistry() {
            super(new MemoryRegistry());
        }

        @Override
        public Set<String> take(Collection<String> hypervisors) {
            return hypervisors.stream().filter(held::contains).collect(java.util.stream.Collectors.toSet());
        }

        @Override
        public boolean holds(String hypervisor) {
            return held.contains(hypervisor);
        }
    }

    private final LeasedRegistry registry = new LeasedRegistry();
    private final Set<String> asked = ConcurrentHashMap.newKeySet();
    /** When set, the hypervisor with this id answers only once the latch opens. */
    private volatile String slow;
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch slowAsked = new CountDownLatch(1);

    private final Driver reporting = new StatusDriver() {
        @Override
        public HypervisorStatus status(Node hv) {
            asked.add(hv.id());
            if (hv.id().equals(slow)) {
                slowAsked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new HypervisorStatus(Map.of("vm-" + hv.id(), new VmInfo(Map.of(), "running", "running")),
                    Map.of("mem_total", "8192", "cpus", "4"));
        }
    };

    private VagothMonitor monitor(int hypervisors) {
        for (int i = 0; i < hypervisors; i++) {
            String id = "hv" + i;
            registry.addNode(new Node(id, id, "hv", "", Map.of("driver", "reporting"), Map.of(), Map.of(), Set.of(), null));
            registry.addNode(new Node("vm-" + id, "vm-" + id, "vm", "", Map.of(), Map.of("state", "stopped"), Map.of(),
                    Set.of(), id));
        }
        TestManager m = new TestManager("test", registry).nodeType("hv", new HypervisorType().driver("reporting",
                reporting));
        return new VagothMonitor(m, registry, 4, Duration.ofMinutes(5), Duration.ofMinutes(10), false, 0);
    }

    @Test
    void onlyTheHypervisorsWhoseLeaseItHoldsArePolled() {
        VagothMonitor m = monitor(4);
        registry.held.addAll(List.of("hv0", "hv2"));
        PollReport r = m.poll();
        assertEquals(Set.of("hv0", "hv2"), asked, "asked");
        assertEquals(Set.of("hv0", "hv2"), Set.copyOf(r.polled()));
        assertTrue(r.warnings().contains("2 of 4 hypervisors are polled by other daemons (they hold their poll leases)"),
                r.warnings().toString());
        assertEquals("running", registry.getNode("vm-hv0").state());
        assertEquals("stopped", registry.getNode("vm-hv1").state(), "another daemon's to poll");
        assertEquals(null, registry.getNode("hv1").metadata().get("last_poll"), "not touched here");
        m.close();
    }

    @Test
    void anAnswerThatArrivesAfterTheLeaseWasLostIsDiscarded() throws Exception {
        VagothMonitor m = monitor(2);
        registry.held.addAll(List.of("hv0", "hv1"));
        slow = "hv0";
        Map<String, Object> out = new HashMap<>();
        Thread poll = new Thread(() -> out.put("report", m.poll()));
        poll.start();
        assertTrue(slowAsked.await(30, TimeUnit.SECONDS), "hv0 was asked");
        registry.held.remove("hv0"); // another daemon took it over meanwhile
        release.countDown();
        poll.join(30_000);
        PollReport report = (PollReport) out.get("report");
        assertTrue(report.warnings().contains("the answer of hv0 was discarded: this daemon lost its poll lease"),
                report.warnings().toString());
        assertEquals("stopped", registry.getNode("vm-hv0").state(), "nothing recorded from the discarded answer");
        assertEquals("running", registry.getNode("vm-hv1").state(), "the other hypervisor's answer was recorded");
        m.close();
    }
}
