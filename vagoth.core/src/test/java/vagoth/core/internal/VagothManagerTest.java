package vagoth.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Constants;

import vagoth.api.nodetype.BaseManagedNode;
import vagoth.api.ManagedNode;
import vagoth.api.Node;
import vagoth.api.nodetype.NodeType;
import vagoth.api.ServiceUnavailableException;
import vagoth.api.UnknownNodeTypeException;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.job.Transaction;
import vagoth.api.action.UnknownActionException;
import vagoth.testing.MemoryRegistry;

@Timeout(60)
class VagothManagerTest {
    @TempDir
    Path dir;
    private MemoryRegistry registry;
    private VagothManager manager;
    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() {
        registry = new MemoryRegistry();
        manager = new VagothManager("myuser", 0, null);
        manager.bindRegistry(registry);
        Logger.getLogger(ActionLog.LOGGER).addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        Logger.getLogger(ActionLog.LOGGER).removeHandler(capture);
    }

    private static Map<String, Object> props(String key, String value, int ranking, long id) {
        return Map.of(key, value, Constants.SERVICE_RANKING, ranking, Constants.SERVICE_ID, id);
    }

    private static final class Plain extends BaseManagedNode {
        Plain(vagoth.api.Manager m, Node n) {
            super(m, n);
        }
    }

    @Test
    void nestedActionsShareTheTxidAndEveryActionLogsIt() {
        List<Transaction> seen = new ArrayList<>();
        Action define = (ctx, args) -> {
            seen.add(ctx.transaction());
            return null;
        };
        Action start = (ctx, args) -> {
            seen.add(ctx.transaction());
            return ctx.manager().action("define", args);
        };
        manager.addAction(start, props(Action.NAME, "start", 0, 1));
        manager.addAction(define, props(Action.NAME, "define", 0, 2));
        manager.action("start", Map.of(Action.NODE_ARG, "devnode1"));
        assertEquals(2, seen.size());
        assertSame(seen.get(0), seen.get(1));
        Transaction tx = seen.get(0);
        assertTrue(tx.txid().matches("[0-9a-f]{8}"), tx.txid());
        assertEquals("myuser", tx.source());
        assertEquals(List.of("vagoth: txid=" + tx.txid() + " source=myuser action=start vm=devnode1",
                "vagoth: txid=" + tx.txid() + " source=myuser action=define vm=devnode1"), logged);

        manager.action("define", Map.of(Action.NODE_ARG, "x"));
        assertNotEquals(tx, seen.get(2), "a new top-level action gets a new transaction");
        assertTrue(manager.currentTransaction().isEmpty(), "the transaction ends with the action");
    }

    @Test
    void aCapturedTransactionIsCarriedToOtherThreads() throws Exception {
        Transaction tx = new Transaction("0badcafe", "daemon");
        List<ActionContext> seen = new ArrayList<>();
        manager.addAction((ctx, args) -> seen.add(ctx), props(Action.NAME, "poll", 0, 1));
        Thread t = new Thread(() -> manager.inTransaction(tx, () -> manager.action("poll", Map.of())));
        t.start();
        t.join();
        assertEquals(tx, seen.get(0).transaction());
        assertEquals("poll", seen.get(0).action());
    }

    @Test
    void anUnknownActionListsTheKnownOnes() {
        manager.addAction((c, a) -> null, props(Action.NAME, "start", 0, 1));
        manager.addAction((c, a) -> null, props(Action.NAME, "stop", 0, 2));
        UnknownActionException e = assertThrows(UnknownActionException.class, () -> manager.action("strat", Map.of()));
        assertEquals("Unknown action strat (known: start, stop)", e.getMessage());
    }

    @Test
    void aRemovedActionIsGoneAtOnceAndTheHighestRankingWins() {
        Action low = (c, a) -> "low";
        Action high = (c, a) -> "high";
        Map<String, Object> lowProps = props(Action.NAME, "start", 0, 1);
        Map<String, Object> highProps = props(Action.NAME, "start", 10, 2);
        manager.addAction(low, lowProps);
        manager.addAction(high, highProps);
        assertEquals("high", manager.action("start", Map.of()));
        manager.removeAction(high, highProps);
        assertEquals("low", manager.action("start", Map.of()));
        manager.removeAction(low, lowProps);
        assertThrows(UnknownActionException.class, () -> manager.action("start", Map.of()));
        assertTrue(manager.actions().isEmpty());
    }

    @Test
    void nodesGetTheirTypesApi() {
        registry.addNode(Node.of("hyper1", "hyper1", "hv"));
        registry.addNode(Node.of("odd", "odd", "toaster"));
        NodeType hv = Plain::new;
        manager.addNodeType(hv, props(NodeType.TYPE, "hv", 0, 1));
        ManagedNode node = manager.getNode("hyper1");
        assertEquals("hyper1", node.id());
        assertEquals(List.of("hyper1", "odd"), manager.listNodes());
        UnknownNodeTypeException e = assertThrows(UnknownNodeTypeException.class, () -> manager.getNode("odd"));
        assertEquals("Unknown node type toaster (known: hv)", e.getMessage());
    }

    @Test
    void aNodeOfATypeNoNodeTypeServesIsRefusedBeforeItIsMade() {
        List<String> made = new ArrayList<>();
        manager.bindProvisioner(new vagoth.api.provision.Provisioner() {
            @Override
            public Node provision(vagoth.api.provision.ProvisionRequest r) {
                made.add(r.id());
                return registry.addNode(r.toNode());
            }

            @Override
            public void deprovision(String id) {
                registry.deleteNode(id);
            }
        });
        manager.addNodeType(Plain::new, props(NodeType.TYPE, "vm", 0, 1));
        manager.addNodeType(Plain::new, props(NodeType.TYPE, "hv", 0, 2));
        UnknownNodeTypeException e = assertThrows(UnknownNodeTypeException.class, () -> manager.provisioner()
                .provision(vagoth.api.provision.ProvisionRequest.of("x", "toaster", Map.of())));
        assertEquals("Unknown node type toaster (known: hv, vm)", e.getMessage());
        assertEquals(List.of(), made, "nothing made");
        assertEquals(List.of(), manager.listNodes());
        manager.provisioner().provision(vagoth.api.provision.ProvisionRequest.of("v", null, Map.of()));
        assertEquals(List.of("v"), made, "a vm (the default type) is made");
    }

    @Test
    void refreshRereadsAndReportsADeletedNode() {
        registry.addNode(Node.of("vm1", "vm1", "vm"));
        manager.addNodeType(Plain::new, props(NodeType.TYPE, "vm", 0, 1));
        ManagedNode n = manager.getNode("vm1");
        registry.updateMetadata("vm1", Map.of("state", "running"), List.of());
        assertEquals("unknown", n.state());
        n.refresh();
        assertEquals("running", n.state());
        registry.deleteNode("vm1");
        vagoth.api.NodeNotFoundException e = assertThrows(vagoth.api.NodeNotFoundException.class, n::refresh);
        assertEquals("Node vm1 not found in registry.", e.getMessage());
    }

    @Test
    void aMissingServiceIsNamed() {
        assertEquals("No scheduler is active; install or configure one (see 'vagoth plugins')",
                assertThrows(ServiceUnavailableException.class, manager::scheduler).getMessage());
        assertThrows(ServiceUnavailableException.class, manager::provisioner);
        assertEquals(List.of(), manager.registry().getNodes(vagoth.api.NodeQuery.all()), "the registry, through the manager");
    }
}
