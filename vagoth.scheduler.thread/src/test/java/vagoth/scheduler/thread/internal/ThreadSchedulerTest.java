package vagoth.scheduler.thread.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Constants;

import vagoth.api.action.Action;
import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.testing.TestManager;
import vagoth.testing.MemoryJobStore;
import vagoth.testing.MemoryRegistry;

@Timeout(120)
class ThreadSchedulerTest {
    private static final long PATIENCE_S = 60; // only reached when something is broken
    @TempDir
    Path dir;
    private MemoryRegistry registry;
    private MemoryJobStore jobs;
    private TestManager manager;
    private final Map<String, List<Integer>> ranByQueue = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<Transaction> txs = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        registry = new MemoryRegistry();
        manager = new TestManager("myuser", registry);
        jobs = openJobs();
        manager.jobs(jobs);
        action("record", (ctx, args) -> {
            ranByQueue.computeIfAbsent(args.get("queue"), q -> Collections.synchronizedList(new ArrayList<>()))
                    .add(Integer.parseInt(args.get("seq")));
            runs.computeIfAbsent(args.get("queue") + "/" + args.get("seq"), k -> new AtomicInteger()).incrementAndGet();
            return null;
        });
        action("gate", (ctx, args) -> {
            try {
                gates.get(args.get("gate")).await(PATIENCE_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted");
            }
            return null;
        });
        action("open", (ctx, args) -> {
            gates.get(args.get("gate")).countDown();
            return null;
        });
        action("start", (ctx, args) -> {
            txs.add(ctx.transaction());
            ctx.manager().scheduler().schedule(args.get("node"), "define", args);
            return null;
        });
        action("define", (ctx, args) -> {
            txs.add(ctx.transaction());
            return null;
        });
    }

    /** The home's job store: the same records for every scheduler, as a new container on the same home sees. */
    private final MemoryJobStore home = new MemoryJobStore();

    private MemoryJobStore openJobs() {
        return home;
    }

    private void action(String name, Action a) {
        manager.action(name, a);
    }

    @AfterEach
    void tearDown() {
        gates.values().forEach(g -> {
            while (g.getCount() > 0) {
                g.countDown();
            }
        });
    }

    private ThreadScheduler scheduler(int threads, long stopTimeout) {
        ThreadScheduler s = new ThreadScheduler(manager, jobs, threads, stopTimeout);
        manager.scheduler(s);
        return s;
    }

    private Job awaitFinished(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_S);
        while (System.nanoTime() < deadline) {
            Job j = jobs.get(id).orElseThrow();
            if (j.state().isFinished()) {
                return j;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("job " + id + " did not finish: " + jobs.get(id));
    }

    private static Map<String, String> rec(String queue, int seq) {
        return Map.of("queue", queue, "seq", String.valueOf(seq));
    }

    @Test
    void eachQueueRunsInOrderWhileQueuesRunConcurrently() throws Exception {
        ThreadScheduler s = scheduler(4, 30);
        int queues = 40;
        int perQueue = 50;
        List<Thread> submitters = new ArrayList<>();
        List<String> last = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 8; t++) {
            int tt = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < perQueue; i++) {
                    for (int q = tt; q < queues; q += 8) {
                        Job j = s.schedule("q" + q, "record", rec("q" + q, i));
                        if (i == perQueue - 1) {
                            last.add(j.id());
                        }
                    }
                }
            });
            submitters.add(th);
            th.start();
        }
        for (Thread th : submitters) {
            th.join();
        }
        for (String id : last) {
            assertEquals(JobState.DONE, awaitFinished(id).state());
        }
        assertEquals(queues, ranByQueue.size());
        for (Map.Entry<String, List<Integer>> e : ranByQueue.entrySet()) {
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < perQueue; i++) {
                expected.add(i);
            }
            assertEquals(expected, e.getValue(), "queue " + e.getKey() + " ran out of order");
        }
        assertTrue(runs.values().stream().allMatch(c -> c.get() == 1), "a job ran twice");
        s.stop();
    }

    @Test
    void differentQueuesRunInParallel() throws Exception {
        ThreadScheduler s = scheduler(2, 30);
        gates.put("g", new CountDownLatch(1));
        // the first job can only finish if the second, on another queue, runs meanwhile
        Job waiting = s.schedule("vm1", "gate", Map.of("gate", "g"));
        Job opener = s.schedule("vm2", "open", Map.of("gate", "g"));
        assertEquals(JobState.DONE, awaitFinished(opener.id()).state());
        assertEquals(JobState.DONE, awaitFinished(waiting.id()).state());
        s.stop();
    }

    @Test
    void nestedActionsKeepTheTxidOfTheJobThatCausedThem() throws Exception {
        ThreadScheduler s = scheduler(2, 30);
        Transaction tx = new Transaction("6e2bc0fb", "myuser");
        Job start = manager.inTransaction(tx, () -> s.schedule("devnode1", "start", Map.of("node", "devnode1")));
        assertEquals("6e2bc0fb", start.txid());
        awaitFinished(start.id());
        Job define = jobs.list(new vagoth.api.job.JobQuery(null, null, null, 10)).stream()
                .filter(j -> j.action().equals("define")).findFirst().orElseThrow();
        awaitFinished(define.id());
        assertEquals(List.of(tx, tx), txs);
        assertEquals("6e2bc0fb", define.txid());
        assertEquals("myuser", define.source());
        s.stop();
    }

    @Test
    void queuedJobsSurviveARestartAndTheRunningOneIsInterrupted() throws Exception {
        ThreadScheduler s = scheduler(1, 0);
        gates.put("g", new CountDownLatch(1));
        Job blocking = s.schedule("vm1", "gate", Map.of("gate", "g"));
        awaitRunning(blocking.id());
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(s.schedule("vm1", "record", rec("vm1", i)).id());
        }
        s.stop(); // the container stops: no time for the running job
        assertEquals(JobState.INTERRUPTED, jobs.get(blocking.id()).orElseThrow().state());

        jobs = openJobs(); // a new container on the same home
        manager.jobs(jobs);
        assertEquals(queued, jobs.queued().stream().map(Job::id).toList());
        ThreadScheduler again = scheduler(1, 30);
        for (String id : queued) {
            assertEquals(JobState.DONE, awaitFinished(id).state());
        }
        assertEquals(List.of(0, 1, 2), ranByQueue.get("vm1"));
        assertEquals(JobState.INTERRUPTED, jobs.get(blocking.id()).orElseThrow().state(), "not re-run silently");
        again.stop();
    }

    private void awaitRunning(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_S);
        while (jobs.get(id).orElseThrow().state() != JobState.RUNNING) {
            assertTrue(System.nanoTime() < deadline, "job never started");
            Thread.sleep(5);
        }
    }

    @Test
    void aCancelledQueuedJobNeverRuns() throws Exception {
        ThreadScheduler s = scheduler(1, 30);
        gates.put("g", new CountDownLatch(1));
        Job blocking = s.schedule("vm1", "gate", Map.of("gate", "g"));
        Job doomed = s.schedule("vm1", "record", rec("vm1", 1));
        Job after = s.schedule("vm1", "record", rec("vm1", 2));
        assertEquals(JobState.CANCELLED, jobs.cancel(doomed.id()).state());
        gates.get("g").countDown();
        assertEquals(JobState.DONE, awaitFinished(after.id()).state());
        assertEquals(JobState.DONE, awaitFinished(blocking.id()).state());
        assertEquals(List.of(2), ranByQueue.get("vm1"));
        assertEquals(JobState.CANCELLED, jobs.get(doomed.id()).orElseThrow().state());
        s.stop();
    }

    @Test
    void swappingSchedulersWithWorkInFlightLosesNoJobAndRunsNoneTwice() throws Exception {
        ThreadScheduler thread = scheduler(1, 30);
        gates.put("g", new CountDownLatch(1));
        Job blocking = thread.schedule("vm1", "gate", Map.of("gate", "g"));
        awaitRunning(blocking.id());
        for (int i = 0; i < 5; i++) {
            thread.schedule("vm1", "record", rec("vm1", i));
        }
        // swap to a new scheduler: the old one stops while a job runs and five wait
        Thread stopper = new Thread(thread::stop);
        stopper.start();
        gates.get("g").countDown();
        stopper.join(TimeUnit.SECONDS.toMillis(PATIENCE_S));
        assertEquals(JobState.DONE, jobs.get(blocking.id()).orElseThrow().state(), "the running job finished");
        ThreadScheduler next = scheduler(1, 30);
        awaitFinished(next.schedule("vm1", "record", rec("vm1", 5)).id());
        assertEquals(List.of(0, 1, 2, 3, 4, 5), ranByQueue.get("vm1"));
        next.stop();

        // and back again
        ThreadScheduler back = scheduler(2, 30);
        Job last = back.schedule("vm1", "record", rec("vm1", 6));
        awaitFinished(last.id());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), ranByQueue.get("vm1"));
        assertTrue(runs.values().stream().allMatch(c -> c.get() == 1), "a job ran twice: " + runs);
        assertTrue(jobs.queued().isEmpty());
        back.stop();
    }
}
