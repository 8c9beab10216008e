package vagoth.scheduler.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Constants;

import vagoth.api.job.Action;
import vagoth.api.job.ActionException;
import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.core.internal.VagothManager;
import vagoth.registry.file.internal.FileRegistry;

class SyncSchedulerTest {
    @TempDir
    Path dir;
    private FileRegistry registry;
    private VagothManager manager;
    private SyncScheduler scheduler;
    private final List<String> ran = new ArrayList<>();
    private final List<Transaction> txs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        registry = new FileRegistry(dir, 1 << 20);
        manager = new VagothManager("myuser", registry, null);
        scheduler = new SyncScheduler(manager);
        manager.useScheduler(scheduler);
        manager.addAction((ctx, args) -> {
            ran.add("start " + args.get(Action.NODE_ARG));
            txs.add(ctx.transaction());
            ctx.manager().scheduler().schedule(args.get(Action.NODE_ARG), "define", args);
            return null;
        }, Map.of(Action.NAME, "start", Constants.SERVICE_ID, 1L));
        manager.addAction((ctx, args) -> {
            ran.add("define " + args.get(Action.NODE_ARG));
            txs.add(ctx.transaction());
            return null;
        }, Map.of(Action.NAME, "define", Constants.SERVICE_ID, 2L));
        manager.addAction((ctx, args) -> {
            throw new ActionException("the hypervisor said no", "devnode1");
        }, Map.of(Action.NAME, "fail", Constants.SERVICE_ID, 3L));
    }

    @AfterEach
    void tearDown() {
        registry.close();
    }

    @Test
    void runsInlineInOrderInTheCallersTransaction() {
        Job job = scheduler.schedule("devnode1", "start", Map.of(Action.NODE_ARG, "devnode1"));
        assertEquals(List.of("start devnode1", "define devnode1"), ran, "the nested action ran before schedule returned");
        assertSame(txs.get(0), txs.get(1));
        assertEquals(JobState.DONE, job.state());
        assertEquals(txs.get(0).txid(), job.txid());
        assertEquals("myuser", job.source());
        assertEquals("devnode1", job.queue());
        assertEquals("start", job.action());
        assertNotNull(job.started());
        assertNotNull(job.finished());
    }

    @Test
    void joinsAnOuterTransaction() {
        Transaction tx = new Transaction("deadbeef", "monitor");
        Job job = manager.inTransaction(tx, () -> scheduler.schedule("q", "define", Map.of(Action.NODE_ARG, "vm9")));
        assertEquals("deadbeef", job.txid());
        assertEquals(tx, txs.get(0));
    }

    @Test
    void aFailingActionReachesTheCaller() {
        ActionException e = assertThrows(ActionException.class, () -> scheduler.schedule("devnode1", "fail", Map.of()));
        assertEquals("the hypervisor said no", e.getMessage());
    }
}
