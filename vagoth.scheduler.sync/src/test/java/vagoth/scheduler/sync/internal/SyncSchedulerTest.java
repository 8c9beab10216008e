package vagoth.scheduler.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Constants;

import vagoth.api.action.Action;
import vagoth.api.action.ActionException;
import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.testing.TestManager;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.MemoryJobStore;

@Timeout(60)
class SyncSchedulerTest {
    @TempDir
    Path dir;
    private MemoryRegistry registry;
    private TestManager manager;
    private SyncScheduler scheduler;
    private MemoryJobStore jobs;
    private final List<String> ran = new ArrayList<>();
    private final List<Transaction> txs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        registry = new MemoryRegistry();
        manager = new TestManager("myuser", registry);
        jobs = new MemoryJobStore();
        manager.jobs(jobs);
        scheduler = new SyncScheduler(manager, jobs);
        manager.scheduler(scheduler);
        manager.action("start", (ctx, args) -> {
            ran.add("start " + args.get(Action.NODE_ARG));
            txs.add(ctx.transaction());
            ctx.manager().scheduler().schedule(args.get(Action.NODE_ARG), "define", args);
            return null;
        });
        manager.action("define", (ctx, args) -> {
            ran.add("define " + args.get(Action.NODE_ARG));
            txs.add(ctx.transaction());
            return null;
        });
        manager.action("fail", (ctx, args) -> {
            throw new ActionException("the hypervisor said no", "devnode1");
        });
    }

    @AfterEach
    void tearDown() {
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
    void aFailingActionReachesTheCallerAndItsJobSaysWhy() {
        ActionException e = assertThrows(ActionException.class, () -> scheduler.schedule("devnode1", "fail", Map.of()));
        assertEquals("the hypervisor said no", e.getMessage());
        Job failed = jobs.list(vagoth.api.job.JobQuery.recent(1)).get(0);
        assertEquals(JobState.FAILED, failed.state());
        assertEquals("the hypervisor said no", failed.error());
    }

    @Test
    void everyJobIsRecorded() {
        Job job = scheduler.schedule("devnode1", "start", Map.of(Action.NODE_ARG, "devnode1"));
        assertEquals(job, jobs.get(job.id()).orElseThrow());
        assertEquals(List.of("define", "start"), jobs.list(vagoth.api.job.JobQuery.recent(10)).stream()
                .map(Job::action).toList(), "the nested define is a job of its own, most recent first");
    }

    @Test
    void jobsLeftQueuedByABackgroundSchedulerRunFirstInOrder() {
        Transaction tx = new Transaction("abcdef01", "daemon");
        jobs.create("devnode1", "define", Map.of(Action.NODE_ARG, "left1"), tx);
        jobs.create("devnode2", "define", Map.of(Action.NODE_ARG, "left2"), tx);
        scheduler.schedule("devnode3", "define", Map.of(Action.NODE_ARG, "new"));
        assertEquals(List.of("define left1", "define left2", "define new"), ran);
        assertEquals("abcdef01", txs.get(0).txid(), "a left-over job runs in its own transaction");
        assertTrue(jobs.queued().isEmpty());
    }
}
