package vagoth.api.job;

import java.util.ArrayList;
import java.util.List;

import vagoth.api.VagothException;

/**
 * Copies the job history of one job store into another (moving an
 * installation from the file job records to PostgreSQL, or back), oldest
 * first, then verifies each copied record and its steps. Jobs the target holds
 * already (by id) are left as they are, so a copy can be run again.
 */
public final class JobHistoryCopy {

    /**
     * What was copied.
     *
     * @param copied   jobs copied
     * @param present  jobs the target held already
     * @param dropped  of those copied, how many the target's retention let go of at once (too old for it)
     */
    public record Copied(int copied, int present, int dropped) {
    }

    private JobHistoryCopy() {
    }

    /** The job with its times to the microsecond: what every store keeps. */
    private static Job micros(Job j) {
        return new Job(j.id(), j.txid(), j.source(), j.queue(), j.action(), j.args(), j.state(), j.error(),
                micros(j.created()), micros(j.started()), micros(j.finished()));
    }

    private static java.time.Instant micros(java.time.Instant i) {
        return i == null ? null : i.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    /**
     * Every job of {@code from}, most recent first.
     *
     * @throws VagothException if a job is still queued or running: their
     *                         records cannot move while they may still change
     */
    public static List<Job> refuseOpenJobs(JobStore from) {
        List<Job> all = new ArrayList<>(from.list(new JobQuery(null, null, null, 0)));
        List<String> open = all.stream().filter(j -> !j.state().isFinished()).map(Job::id).toList();
        if (!open.isEmpty()) {
            throw new VagothException(open.size() + " job(s) are queued or running (" + String.join(", ",
                    open.subList(0, Math.min(5, open.size()))) + (open.size() > 5 ? ", ..." : "") + "): let them"
                    + " finish or cancel them, then copy; nothing was copied", null);
        }
        return all;
    }

    /**
     * @throws VagothException if a job is still queued or running (nothing is
     *                         copied then), or the copy does not match
     */
    public static Copied copy(JobStore from, JobStore to) {
        List<Job> all = refuseOpenJobs(from);
        java.util.Collections.reverse(all); // oldest first
        int copied = 0;
        int dropped = 0;
        List<String> wrong = new ArrayList<>();
        for (Job j : all) {
            List<String> steps = from.steps(j.id());
            if (to.restore(j, steps)) {
                copied++;
                java.util.Optional<Job> there = to.get(j.id());
                if (there.isEmpty()) {
                    dropped++;
                } else if (!micros(there.get()).equals(micros(j)) || !to.steps(j.id()).equals(steps)) {
                    wrong.add(j.id());
                }
            }
        }
        if (!wrong.isEmpty()) {
            throw new VagothException("The copied job records do not match their source: " + String.join(", ", wrong),
                    null);
        }
        return new Copied(copied, all.size() - copied, dropped);
    }
}
