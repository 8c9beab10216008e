package vagoth.driver.geats.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

import vagoth.api.Node;
import vagoth.api.driver.DriverException;
import vagoth.api.virt.HypervisorStatus;
import vagoth.support.cmd.CommandLine;

/** The driver against the real agent, run as a separate process (simulated back end), and against broken agents. */
@Timeout(120)
class GeatsDriverTest {
    @TempDir
    Path dir;
    private final GeatsDriver driver = new GeatsDriver(Duration.ofSeconds(20), Duration.ofSeconds(30));

    @AfterEach
    void close() {
        driver.close();
    }

    private String agentLine() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "'" + java + "' -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("vagoth.agent.classpath")
                + "' vagoth.agent.Agent --backend sim --state '" + dir.resolve("sim") + "' --mem-total 4096 --cpus 4";
    }

    private static Node hv(String agent, boolean session) {
        return new Node("hyper1", "hyper1", "hv", "", Map.of("driver", "geats", "agent", agent, "agent_session",
                String.valueOf(session)), Map.of(), Map.of(), Set.of(), null);
    }

    private static Node vm(String id) {
        return new Node(id, id, "vm", "", Map.of("template", "busybox", "ram", "512"), Map.of(), Map.of(), Set.of(), null);
    }

    @Test
    void everyOperationThroughAnAgentProcessPerCall() {
        lifecycle(hv(agentLine(), false));
    }

    @Test
    void everyOperationThroughOneAgentSession() {
        lifecycle(hv(agentLine(), true));
    }

    private void lifecycle(Node hv) {
        Node vm = vm("devnode1");
        driver.define(hv, vm);
        assertEquals("stopped", driver.info(hv, vm).state());
        assertEquals(Map.of("template", "busybox", "ram", "512"), driver.info(hv, vm).definition());
        driver.start(hv, vm);
        assertEquals("running", driver.info(hv, vm).state());
        driver.reboot(hv, vm);
        HypervisorStatus status = driver.status(hv);
        assertEquals(Set.of("devnode1"), status.vms().keySet());
        assertEquals("running", status.vms().get("devnode1").state());
        assertEquals("4096", status.facts().get("mem_total"));
        assertEquals("3584", status.facts().get("mem_free"));
        assertEquals("4", status.facts().get("cpus"));
        assertEquals("0.0,0.0,0.0", status.facts().get("load_avg"));
        DriverException running = assertThrows(DriverException.class, () -> driver.undefine(hv, vm));
        assertEquals("hyper1: undefine failed: vm_running: VM devnode1 is running; stop it before undefining it",
                running.getMessage());
        driver.stop(hv, vm);
        assertEquals("stopped", driver.info(hv, vm).state());
        driver.start(hv, vm);
        driver.shutdown(hv, vm);
        assertEquals("stopped", driver.info(hv, vm).state());
        assertThrows(DriverException.class, () -> driver.migrate(hv, vm, Node.of("hyper2", "hyper2", "hv")));
        driver.undefine(hv, vm);
        assertTrue(driver.status(hv).vms().isEmpty());
        driver.provision(hv, vm);
        driver.deprovision(hv, vm);
        DriverException gone = assertThrows(DriverException.class, () -> driver.info(hv, vm));
        assertEquals("hyper1: info failed: not_defined: VM devnode1 is not defined here", gone.getMessage());
        assertEquals("devnode1", gone.node().orElseThrow());
    }

    @Test
    void anAgentThatExitsNonZeroIsAnErrorWithItsStderr() {
        Node hv = hv("sh -c 'cat >/dev/null; echo \"ssh: connect to host hyper1 port 22: No route to host\" >&2; exit 255'", false);
        DriverException e = assertThrows(DriverException.class, () -> driver.status(hv));
        assertEquals("hyper1: agent failed on 'status': the agent exited with status 255: "
                + "ssh: connect to host hyper1 port 22: No route to host", e.getMessage());
    }

    @Test
    void anAgentThatHangsIsKilledAfterTheTimeout() {
        GeatsDriver impatient = new GeatsDriver(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try {
            Node hv = hv("sleep 600", false);
            DriverException e = assertThrows(DriverException.class, () -> impatient.start(hv, vm("vm1")));
            assertEquals("hyper1: agent failed on 'start': no answer within 1 s; the agent was killed", e.getMessage());
            Node session = hv("sh -c 'read line; sleep 600'", true);
            DriverException s = assertThrows(DriverException.class, () -> impatient.status(session));
            assertTrue(s.getMessage().contains("no answer within 1 s"), s.getMessage());
        } finally {
            impatient.close();
        }
    }

    @Test
    void anAgentThatPrintsGarbageIsAnError() {
        Node hv = hv("sh -c 'cat >/dev/null; echo Welcome to hyper1, last login yesterday'", false);
        DriverException e = assertThrows(DriverException.class, () -> driver.status(hv));
        assertEquals("hyper1: the agent's answer to 'status' is not a protocol answer: Welcome to hyper1, last login yesterday",
                e.getMessage());
        Node empty = hv("true", false);
        DriverException nothing = assertThrows(DriverException.class, () -> driver.status(empty));
        assertTrue(nothing.getMessage().endsWith("is not a protocol answer: (nothing)"), nothing.getMessage());
        Node wrongShape = hv("sh -c 'cat >/dev/null; echo {\\\"success\\\": true, \\\"data\\\": 42}'", false);
        DriverException shape = assertThrows(DriverException.class, () -> driver.status(wrongShape));
        assertTrue(shape.getMessage().startsWith("hyper1: the agent's answer to 'status' is not a status report"),
                shape.getMessage());
    }

    @Test
    void aMissingOrUnrunnableAgentIsAnError() {
        Node none = new Node("hyper1", "hyper1", "hv", "", Map.of("driver", "geats"), Map.of(), Map.of(), Set.of(), null);
        assertTrue(assertThrows(DriverException.class, () -> driver.status(none)).getMessage()
                .startsWith("hyper1: its definition has no 'agent'"));
        Node missing = hv("/nonexistent/vagoth-agent --backend sim", false);
        assertTrue(assertThrows(DriverException.class, () -> driver.status(missing)).getMessage()
                .startsWith("hyper1: agent failed on 'status': cannot run agent /nonexistent/vagoth-agent"));
        Node unbalanced = hv("vagoth-agent 'oops", false);
        assertTrue(assertThrows(DriverException.class, () -> driver.status(unbalanced)).getMessage()
                .contains("unbalanced"));
    }

    /**
     * A session agent that answered garbage is out of step (what it prints next
     * may be the answer to the garbled request): the session is ended and the
     * next request goes to a new agent process, never read from the old one.
     */
    @Test
    void aSessionIsNotReusedAfterAGarbageAnswer() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("geats-garbage");
        try {
            java.nio.file.Path marker = dir.resolve("answered-once");
            java.nio.file.Path agent = dir.resolve("agent");
            java.nio.file.Files.writeString(agent, "#!/bin/sh\nwhile read line; do\n"
                    + "  if [ -e '" + marker + "' ]; then\n"
                    + "    echo '{\"success\": true, \"data\": {\"vms\": {}, \"status\": {\"answer\": \"fresh\"}}}'\n"
                    + "  else\n    touch '" + marker + "'\n    echo 'Welcome to hyper1'\n"
                    + "    echo '{\"success\": true, \"data\": {\"vms\": {}, \"status\": {\"answer\": \"stale\"}}}'\n"
                    + "  fi\ndone\n");
            agent.toFile().setExecutable(true);
            Node hv = hv(agent.toString(), true);
            assertThrows(DriverException.class, () -> driver.status(hv));
            assertEquals("fresh", driver.status(hv).facts().get("answer"), "read from a new agent, not the old one's"
                    + " leftover answer");
        } finally {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void aSessionThatDiedIsRestartedForTheNextRequest() throws Exception {
        Node hv = hv(agentLine(), true);
        driver.define(hv, vm("vm1"));
        List<ProcessHandle> first = ProcessHandle.current().children().toList();
        assertEquals(1, first.size(), "one agent process serves the session");
        first.get(0).destroyForcibly();
        first.get(0).onExit().get();
        driver.start(hv, vm("vm1"));
        assertEquals("running", driver.info(hv, vm("vm1")).state());
        List<ProcessHandle> second = ProcessHandle.current().children().toList();
        assertEquals(1, second.size());
        assertTrue(second.get(0).pid() != first.get(0).pid(), "a new agent process");
    }

    @Test
    void aSessionThatDiesMidRequestIsAnErrorWithItsExitStatus() {
        Node hv = hv("sh -c 'read line; echo agent crashed >&2; exit 7'", true);
        DriverException e = assertThrows(DriverException.class, () -> driver.status(hv));
        assertEquals("hyper1: agent failed on 'status': the agent session ended without answering (exit status 7): "
                + "agent crashed", e.getMessage());
    }

    @Test
    void theAgentCommandLineIsSplitWithoutAShell() {
        assertEquals(List.of("ssh", "-o", "BatchMode=yes", "root@hyper1", "geats_jsonagent"),
                CommandLine.split("ssh -o BatchMode=yes root@hyper1 geats_jsonagent"));
        assertEquals(List.of("a b", "c$(rm -rf /)", "d;e", "f'g"), CommandLine.split("'a b' c$(rm\\ -rf\\ /) d;e \"f'g\""));
    }

    private static final String OK = "{\\\"success\\\": true, \\\"data\\\": {\\\"vms\\\": {}, \\\"status\\\": {}}}";

    /** Processes whose command line holds {@code marker}: what a test's agent left behind. */
    private static long leftBehind(String marker) {
        return ProcessHandle.allProcesses().filter(ph -> ph.info().commandLine().orElse("").contains(marker)).count();
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aFloodingAgentIsStoppedAtTheLimitNotByMemory() {
        GeatsDriver bounded = new GeatsDriver(Duration.ofSeconds(20), Duration.ofSeconds(20), 1 << 20);
        try {
            for (boolean session : new boolean[] {false, true}) {
                Node hv = hv("sh -c 'read line; head -c 104857600 /dev/zero | tr \\\\0 x'", session);
                long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
                DriverException e = assertThrows(DriverException.class, () -> bounded.status(hv));
                assertTrue(e.getMessage().contains("larger than 1048576 bytes (max.answer.bytes)"), e.getMessage());
                long grew = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory() - before;
                assertTrue(grew < 64L << 20, "the heap grew by " + grew + " bytes reading a flood");
            }
        } finally {
            bounded.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void anAnswerIsReadWhenTheAgentExitsAndWhatItLeftBehindIsEnded() {
        String marker = "4242.4242" + ProcessHandle.current().pid();
        // the agent answers and exits, but a child it started keeps its output open
        Node hv = hv("sh -c 'read line; (sleep " + marker + " &); echo \"" + OK + "\"'", false);
        GeatsDriver impatient = new GeatsDriver(Duration.ofSeconds(30), Duration.ofSeconds(30));
        try {
            long t0 = System.nanoTime();
            assertEquals(Set.of(), impatient.status(hv).vms().keySet());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos(), "the answer waited for the child");
            assertEquals(0, leftBehind(marker), "the agent's child was left running");
        } finally {
            impatient.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aHungAgentIsEndedWithEverythingItStarted() {
        String marker = "4343.4343" + ProcessHandle.current().pid();
        GeatsDriver impatient = new GeatsDriver(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try {
            for (boolean session : new boolean[] {false, true}) {
                Node hv = hv("sh -c 'read line; sleep " + marker + " & sleep " + marker + "'", session);
                assertThrows(DriverException.class, () -> impatient.status(hv));
                assertEquals(0, leftBehind(marker), "left running after a timeout (session " + session + ")");
            }
        } finally {
            impatient.close();
        }
    }
}
