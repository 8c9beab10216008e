package vagoth.shell.internal;

import static vagoth.shell.internal.Session.asCaller;
import static vagoth.shell.internal.Session.exit;
import static vagoth.shell.internal.Session.parse;
import static vagoth.shell.internal.Session.run;
import static vagoth.shell.internal.Session.style;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;

/** The job commands: {@code jobs}, {@code job}, {@code cancel} and {@code wait}. */
@Component(service = JobCommands.class, property = {"osgi.command.scope=vagoth",
    "osgi.command.function=jobs", "osgi.command.function=job", "osgi.command.function=cancel",
    "osgi.command.function=wait"})
public final class JobCommands {
    static final int EXIT_FAILED = 1;
    static final int EXIT_CANCELLED = 3;
    static final int EXIT_INTERRUPTED = 4;
    static final int EXIT_TIMEOUT = 5;
    private static final int DEFAULT_LIMIT = 50;
    private static final String WAIT = "block until a job ends; exit status 0 done, 1 failed, 3 cancelled, 4 interrupted, 5 timed out";
    private final Manager manager;

    @Activate
    public JobCommands(@Reference Manager manager) {
        this.manager = manager;
    }

    @Descriptor("recent jobs, most recent first (default 50)")
    @Usage(synopsis = "jobs [--state S] [--node NODE] [--txid TXID] [--limit N] [--json]",
            values = {"state", "node", "txid", "limit"}, flags = "json", role = "viewer")
    public String jobs(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("jobs", args);
        JobState state = null;
        if (a.value("state") != null) {
            try {
                state = JobState.valueOf(a.value("state").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw a.usage("unknown state '" + a.value("state")
                        + "' (queued, running, done, failed, cancelled, interrupted)");
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
        JobQuery query = new JobQuery(state, a.value("node"), a.value("txid"), limit);
        return run("jobs", null, () -> {
            List<Job> jobs = manager.jobs().list(query);
            if (a.flag("json")) {
                return JobFormat.json(jobs);
            }
            return jobs.isEmpty() ? null : new JobFormat(style(session)).table(jobs);
        });
    }

    @Descriptor("one job in full, with its error; 'retry' runs an interrupted, failed or cancelled job again as a new"
            + " job")
    @Usage(synopsis = "job [--json] JOB-ID | job retry JOB-ID", flags = "json", min = 1, max = 2, role = "viewer",
            acts = "retry")
    public String job(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("job", args);
        if (a.arg(0).equals("retry")) {
            if (a.positional().size() != 2) {
                throw a.usage("job retry takes the id of the job to run again");
            }
            return run("job retry", a.arg(1), () -> asCaller(manager, session, () -> retry(a.arg(1))));
        }
        if (a.positional().size() != 1) {
            throw a.usage("job takes one job id (or: job retry JOB-ID)");
        }
        return run("job", a.arg(0), () -> {
            Job j = find(a.arg(0));
            return a.flag("json") ? JobFormat.json(j)
                    : new JobFormat(style(session)).detail(j, manager.jobs().steps(j.id()));
        });
    }

    /**
     * Runs a job that did not finish well again, as a new job on the same
     * queue with the same action and arguments, and waits for it like the VM
     * commands do. Nothing is ever retried by itself, and a job is retried
     * once: the retry is recorded on it first ({@code JobStore.markRetried},
     * atomic across processes), and a second retry is refused naming the
     * first one's job (retry that one if it too failed).
     */
    private String retry(String id) {
        Job old = find(id);
        if (old.state() != JobState.INTERRUPTED && old.state() != JobState.FAILED && old.state() != JobState.CANCELLED) {
            throw new VagothException("job " + id + " is " + old.state().label()
                    + "; only an interrupted, failed or cancelled job is retried", id);
        }
        String txid = vagoth.api.job.Transaction.current().map(vagoth.api.job.Transaction::txid)
                .orElseThrow(() -> new VagothException("job retry runs in a transaction", id));
        java.util.Optional<String> before = manager.jobs().markRetried(old.id(), txid);
        if (before.isPresent()) {
            String earlier = before.get().substring(vagoth.api.job.JobStore.RETRIED.length());
            String retriedAs = manager.jobs().list(new vagoth.api.job.JobQuery(null, old.queue(), earlier, 10)).stream()
                    .filter(j -> !j.id().equals(old.id()))
                    .map(Job::id).findFirst().map(j -> "as job " + j)
                    .orElse("in transaction " + earlier + " (its job is no longer recorded)");
            throw new VagothException("job " + id + " was retried already, " + retriedAs
                    + "; a job is retried once: retry that one if it too did not finish", id);
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

    @Descriptor("cancel a queued job, or stop a live migration under way (it is undone: the VM runs on at its source)")
    @Usage(synopsis = "cancel JOB-ID", min = 1, max = 1, role = "operator")
    public String cancel(@Descriptor("JOB-ID") String... args) {
        ParsedArgs a = parse("cancel", args);
        return run("cancel", a.arg(0), () -> {
            vagoth.api.job.Job j = manager.cancelJob(a.arg(0));
            return j.state() == JobState.RUNNING ? "cancel: asked (" + j.id() + " is a live migration under way: it"
                    + " is cancelled and undone, the VM runs on at its source; 'vagoth wait " + j.id() + "' shows it"
                    + " end)" : "cancel: OK (" + j.id() + ")";
        });
    }

    @Descriptor(WAIT)
    @Usage(synopsis = "wait [--timeout SECONDS] JOB-ID", values = "timeout", min = 1, max = 1, role = "viewer")
    public String wait(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("wait", args);
        Duration timeout = timeout(a);
        String id = a.arg(0);
        return run("wait", id, () -> {
            Job j;
            try {
                j = manager.jobs().await(id, timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailure("wait", "interrupted", id);
            }
            switch (j.state()) {
                case QUEUED, RUNNING -> {
                    exit(session, EXIT_TIMEOUT);
                    return "wait: still " + j.state().label() + " after " + a.value("timeout") + "s (" + id + ")";
                }
                case FAILED -> exit(session, EXIT_FAILED);
                case CANCELLED -> exit(session, EXIT_CANCELLED);
                case INTERRUPTED -> exit(session, EXIT_INTERRUPTED);
                default -> {
                }
            }
            return "wait: " + j.state().label()
                    + (j.error() == null || j.state() == JobState.CANCELLED ? "" : ": " + j.error()) + " (" + id + ")";
        });
    }

    private static Duration timeout(ParsedArgs a) {
        if (a.value("timeout") == null) {
            return VmCommands.FOREVER;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(a.value("timeout"));
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (!(seconds >= 0) || seconds > 1e9) {
            throw a.usage("--timeout needs a number of seconds, 0 or more, not '" + a.value("timeout") + "'");
        }
        return Duration.ofMillis((long) (seconds * 1000));
    }

    // Exact String overloads: without them Gogo matches "wait 12345678" to Object.wait(long).

    @Descriptor(WAIT)
    public String wait(CommandSession session) {
        return wait(session, new String[0]);
    }

    @Descriptor(WAIT)
    public String wait(CommandSession session, @Descriptor("JOB-ID") String id) {
        return wait(session, new String[] {id});
    }

    @Descriptor(WAIT)
    public String wait(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String a,
            @Descriptor(NodeCommands.OPTIONS) String b) {
        return wait(session, new String[] {a, b});
    }

    @Descriptor(WAIT)
    public String wait(CommandSession session, @Descriptor(NodeCommands.OPTIONS) String a,
            @Descriptor(NodeCommands.OPTIONS) String b, @Descriptor(NodeCommands.OPTIONS) String c) {
        return wait(session, new String[] {a, b, c});
    }

    private Job find(String id) {
        return manager.jobs().get(id).orElseThrow(() -> new JobNotFoundException(id));
    }
}
