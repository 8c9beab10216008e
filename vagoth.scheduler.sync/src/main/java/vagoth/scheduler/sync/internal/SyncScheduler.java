package vagoth.scheduler.sync.internal;

import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.job.Scheduler;
import vagoth.api.job.Transaction;

/**
 * Runs each action at once, in the caller's thread and transaction, as the
 * original's synchronous scheduler did. The returned job is finished; a
 * failing action's exception reaches the caller unchanged.
 */
@Component(service = Scheduler.class, property = "vagoth.scheduler=sync")
public final class SyncScheduler implements Scheduler {
    private final Manager manager;
    private final Clock clock;

    @Activate
    public SyncScheduler(@Reference Manager manager) {
        this(manager, Clock.systemUTC());
    }

    SyncScheduler(Manager manager, Clock clock) {
        this.manager = manager;
        this.clock = clock;
    }

    @Override
    public Job schedule(String queue, String action, Map<String, String> args) {
        return manager.inTransaction(() -> run(queue, action, args));
    }

    private Job run(String queue, String action, Map<String, String> args) {
        Transaction tx = manager.currentTransaction().orElseThrow();
        Job job = new Job(newId(), tx.txid(), tx.source(), queue, action, args, JobState.QUEUED, null,
                clock.instant(), null, null).withState(JobState.RUNNING, null, clock.instant());
        manager.action(action, args);
        return job.withState(JobState.DONE, null, clock.instant());
    }

    private static String newId() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
