package vagoth.jobs.postgres.internal;

import java.time.Duration;
import java.util.Map;

import vagoth.api.job.Job;
import vagoth.api.job.Transaction;

/** A daemon's job store in its own process: starts one job, queues another, prints their ids, then waits to be killed. */
public final class JobWorker {
    private JobWorker() {
    }

    public static void main(String[] args) throws Exception {
        PostgresJobStore s = new PostgresJobStore(args[0], args[1], "", Duration.ofSeconds(1));
        Transaction tx = new Transaction("0000abcd", "worker");
        Job running = s.create("vm1", "start", Map.of("node", "vm1"), tx);
        s.start(running.id());
        Job queued = s.create("vm1", "stop", Map.of("node", "vm1"), tx);
        System.out.println("started " + running.id() + " " + queued.id());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
