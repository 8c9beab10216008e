package vagoth.scheduler.thread.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import vagoth.api.job.Job;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.testing.MemoryJobStore;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.TestManager;

/**
 * On a job store shared by several daemons the scheduler keeps no queues of
 * its own: it claims whatever is runnable, also jobs another daemon queued,
 * and two schedulers on one store run each queue in order, one job at a time.
 */
@Timeout(120)
class SharedStoreSchedulingTest {
    private static final Transaction TX = new Transaction("5ca1ab1e", "test");

    @Test
    void twoSchedulersOnOneSharedStoreRunEveryJobOnceInItsQueuesOrder() throws Exception {
        MemoryJobStore store = MemoryJobStore.sharedByDaemons();
        Map<String, List<Integer>> ranByQueue = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> busy = new ConcurrentHashMap<>();
        List<String> overlaps = Collections.synchronizedList(new ArrayList<>());
        List<ThreadScheduler> schedulers = new ArrayList<>();
        for (String daemon : List.of("a", "b")) {
            TestManager m = new TestManager(daemon, new MemoryRegistry()).jobs(store);
            m.action("record", (ctx, args) -> {
                String q = args.get("queue");
                if (busy.computeIfAbsent(q, k -> new AtomicInteger()).incrementAndGet() > 1) {
                    overlaps.add(q);
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ranByQueue.computeIfAbsent(q, k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(Integer.parseInt(args.get("seq")));
                busy.get(q).decrementAndGet();
                return null;
            });
            ThreadScheduler s = new ThreadScheduler(m, store, 4, 5);
            m.scheduler(s);
            schedulers.add(s);
        }
        // queued by a third process (a one-shot, another daemon): no scheduler was told of them
        for (int seq = 0; seq < 20; seq++) {
            for (int q = 0; q < 5; q++) {
                store.create("vm" + q, "record", Map.of("queue", "vm" + q, "seq", String.valueOf(seq)), TX);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!store.list(new JobQuery(JobState.QUEUED, null, null, 1)).isEmpty()
                || !store.list(new JobQuery(JobState.RUNNING, null, null, 1)).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the jobs were not all run");
            Thread.sleep(10);
        }
        for (ThreadScheduler s : schedulers) {
            s.stop();
        }
        assertEquals(List.of(), overlaps, "a queue ran two jobs at once");
        for (int q = 0; q < 5; q++) {
            List<Integer> expected = new ArrayList<>();
            for (int seq = 0; seq < 20; seq++) {
                expected.add(seq);
            }
            assertEquals(expected, ranByQueue.get("vm" + q), "vm" + q + " in order, each once");
        }
        for (Job j : store.list(new JobQuery(null, null, null, 0))) {
            assertEquals(JobState.DONE, j.state(), j.toString());
        }
    }
}
