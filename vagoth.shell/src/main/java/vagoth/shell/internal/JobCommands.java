package vagoth.shell.internal;

import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.CommandSession;

import vagoth.api.Manager;
import vagoth.api.job.Job;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.JobStore;
import vagoth.api.Installation;

/** {@code jobs}, {@code job}, {@code cancel} and {@code wait}. */
final class JobCommands {
    /** Session variable the one-shot launcher reads for the exit status, when a command sets one. */
    static final String EXIT_VARIABLE = Installation.EXIT_VARIABLE;
    static final int EXIT_FAILED = 1;
    static final int EXIT_CANCELLED = 3;
    static final int EXIT_INTERRUPTED = 4;
    static final int EXIT_TIMEOUT = 5;
    private static final int DEFAULT_LIMIT = 50;
    private static final long POLL_MS = 50;
    private final Manager manager;

    JobCommands(Manager manager) {
        this.manager = manager;
    }

    String jobs(Style style, ParsedArgs a) {
        JobState state = null;
        if (a.value("state") != null) {
            try {
                state = JobState.valueOf(a.value("state").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw a.usage("unknown state '" + a.value("state") + "' (queued, running, done, failed, cancelled, interrupted)");
            }
        }
        int limit = DEFAULT_LIMIT;
        if (a.value("limit") != null) {
            try {
                limit = Integer.parseInt(a.value("limit"));
            } catch (NumberFormatException e) {
                throw a.usage("--limit needs a number, not '" + a.value("limit") + "'");
            }
        }
        List<Job> jobs = manager.jobs().list(new JobQuery(state, a.value("node"), a.value("txid"), limit));
        if (a.flag("json")) {
            return JobFormat.json(jobs);
        }
        return jobs.isEmpty() ? null : new JobFormat(style).table(jobs);
    }

    String job(Style style, ParsedArgs a) {
        Job j = find(a.arg(0));
        return a.flag("json") ? JobFormat.json(j) : new JobFormat(style).detail(j, manager.jobs().steps(j.id()));
    }

    /**
     * Runs a job that did not finish well again, as a new job on the same
     * queue with the same action and arguments, and waits for it like the VM
     * commands do. Nothing is ever retried by itself.
     */
    String retry(String id) {
        Job old = find(id);
        if (old.state() != JobState.INTERRUPTED && old.state() != JobState.FAILED && old.state() != JobState.CANCELLED) {
            throw new vagoth.api.VagothException("job " + id + " is " + old.state().label()
                    + "; only an interrupted, failed or cancelled job is retried", id);
        }
        Job again = VmCommands.awaitEnd(manager, manager.scheduler().schedule(old.queue(), old.action(), old.args()));
        String what = old.action() + " " + old.queue();
        if (again.state() == JobState.DONE) {
            return "job retry: OK (" + what + ": job " + again.id() + " did what job " + id + " did not)";
        }
        if (again.state().isFinished()) {
            throw new CommandFailure("job retry", "job " + again.id() + " (" + what + ") " + again.state().label()
                    + (again.error() == null ? "" : ": " + again.error()), id);
        }
        return "job retry: queued as job " + again.id() + " (" + what + ")";
    }

    String cancel(ParsedArgs a) {
        Job j = manager.jobs().cancel(a.arg(0));
        return "cancel: OK (" + j.id() + ")";
    }

    /** Blocks until the job ends; the exit status says how (0 done, 1 failed, 3 cancelled, 4 interrupted, 5 timed out). */
    String await(CommandSession session, ParsedArgs a) {
        long timeoutMs = Long.MAX_VALUE;
        if (a.value("timeout") != null) {
            double seconds;
            try {
                seconds = Double.parseDouble(a.value("timeout"));
            } catch (NumberFormatException e) {
                seconds = Double.NaN;
            }
            if (!(seconds >= 0) || seconds > 1e9) {
                throw a.usage("--timeout needs a number of seconds, 0 or more, not '" + a.value("timeout") + "'");
            }
            timeoutMs = (long) (seconds * 1000);
        }
        String id = a.arg(0);
        JobStore store = manager.jobs();
        long deadline = timeoutMs == Long.MAX_VALUE ? Long.MAX_VALUE : System.currentTimeMillis() + timeoutMs;
        Job j = find(id);
        while (!j.state().isFinished()) {
            if (System.currentTimeMillis() >= deadline) {
                exit(session, EXIT_TIMEOUT);
                return "wait: still " + j.state().label() + " after " + a.value("timeout") + "s (" + id + ")";
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailure("wait", "interrupted", id);
            }
            j = store.get(id).orElseThrow(() -> new JobNotFoundException(id));
        }
        switch (j.state()) {
            case FAILED -> exit(session, EXIT_FAILED);
            case CANCELLED -> exit(session, EXIT_CANCELLED);
            case INTERRUPTED -> exit(session, EXIT_INTERRUPTED);
            default -> {
            }
        }
        return "wait: " + j.state().label() + (j.error() == null || j.state() == JobState.CANCELLED ? "" : ": " + j.error())
                + " (" + id + ")";
    }

    private Job find(String id) {
        return manager.jobs().get(id).orElseThrow(() -> new JobNotFoundException(id));
    }

    private static void exit(CommandSession session, int status) {
        if (session != null) {
            session.put(EXIT_VARIABLE, status);
        }
    }
}
