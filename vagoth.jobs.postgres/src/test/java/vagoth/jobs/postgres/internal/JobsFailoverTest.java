package vagoth.jobs.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.testing.PostgresServer;

/**
 * A daemon's jobs through a failover: a primary and a synchronous streaming
 * standby; the primary is killed with SIGKILL while jobs are queued and run,
 * the standby is promoted, and the daemon (workers claiming from the shared
 * job store, whose URL names both servers) carries on by itself. No
 * acknowledged job is lost, none runs twice, and every one ends.
 */
@Tag("postgres") // a PostgreSQL server of its own: left out of the fast tier
@Timeout(300)
class JobsFailoverTest {

    @Test
    void aPromotedStandbyTakesTheJobsOverAndNoneIsLostOrRunTwice() throws Exception {
        try (PostgresServer primary = PostgresServer.start(); PostgresServer standby = primary.standby()) {
            primary.synchronousReplication();
            String url = primary.failoverUrl(standby);
            Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
            Set<String> acked = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            try (PostgresJobStore store = new PostgresJobStore(url, primary.user(), "", Duration.ofSeconds(30));
                    Workers workers = new Workers(store, 8, job -> {
                        runs.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
                        return null;
                    })) {
                Transaction tx = new Transaction("0fa110e2", "test");
                Thread client = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            acked.add(store.create("q" + (i % 20), "noop", Map.of(), tx).id());
                        } catch (RuntimeException e) {
                            pause(); // not acknowledged: the database was away
                        }
                    }
                });
                client.start();
                awaitRuns(runs, 200);
                primary.kill();
                standby.promote();
                int before = runs.size();
                awaitRuns(runs, before + 200); // the daemon works again by itself
                stop.set(true);
                client.join(60_000);
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (open(store, acked) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                List<String> wrong = new ArrayList<>();
                for (String id : acked) {
                    Job j = store.get(id).orElse(null);
                    int ran = runs.getOrDefault(id, new AtomicInteger()).get();
                    if (j == null) {
                        wrong.add(id + " acknowledged but lost");
                    } else if (ran > 1) {
                        wrong.add(id + " ran " + ran + " times");
                    } else if (j.state() == JobState.DONE && ran != 1) {
                        wrong.add(id + " done but ran " + ran + " times");
                    } else if (!j.state().isFinished()) {
                        wrong.add(id + " never ended: " + j.state().label());
                    }
                }
                assertEquals(List.of(), wrong);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long open(PostgresJobStore store, Set<String> ids) {
        return ids.stream().filter(id -> store.get(id).map(j -> !j.state().isFinished()).orElse(false)).count();
    }

    private static void awaitRuns(Map<String, AtomicInteger> runs, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (runs.size() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(runs.size() >= atLeast, "only " + runs.size() + " jobs ran");
    }
}
