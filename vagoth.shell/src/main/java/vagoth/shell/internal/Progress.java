package vagoth.shell.internal;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import vagoth.api.Manager;
import vagoth.api.job.Job;

/**
 * A migration's progress on the operator's terminal: one line, rewritten in
 * place (a carriage return) as the job records its progress steps: what is
 * sent and left, the rate and the time left. Only for a client with a
 * terminal; what a command prints otherwise is unchanged.
 */
final class Progress {
    /** A live migration's step: {@code progress: memory 17888018 bytes sent, 247992320 left, 1074 Mbit/s}. */
    private static final Pattern LIVE = Pattern.compile(
            "progress: (\\w+) ([0-9]+) bytes sent, ([0-9]+) left(?:, ([0-9]+) Mbit/s)?");
    /** A cold migration's disk copy: {@code copying its disk: 412090368 bytes so far}. */
    private static final Pattern COLD = Pattern.compile("copying its disk: ([0-9]+) bytes so far");
    private static final Duration EVERY = Duration.ofMillis(500);

    private final Thread thread;
    private volatile boolean done;

    private Progress(Manager manager, String vmId, String vm, PrintStream err) {
        thread = new Thread(() -> show(manager, vmId, vm, err), "vagoth-progress-" + vm);
        thread.setDaemon(true);
    }

    /**
     * Shows on {@code err} the progress of the migration of {@code vmId} that runs now (the newest running job on
     * the VM), every half second, until {@link #close()}; started before the migration is scheduled, so that a
     * scheduler that runs it inline is watched too.
     */
    static Progress watch(Manager manager, String vmId, String vm, PrintStream err) {
        Progress p = new Progress(manager, vmId, vm, err);
        p.thread.start();
        return p;
    }

    /** Stops showing, and clears the line. */
    void close() {
        done = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void show(Manager manager, String vmId, String vm, PrintStream err) {
        String shown = null;
        try {
            while (!done) {
                Thread.sleep(EVERY.toMillis());
                String line = null;
                for (Job j : manager.jobs().list(new vagoth.api.job.JobQuery(vagoth.api.job.JobState.RUNNING, vmId,
                        null, 5))) {
                    if (j.action().equals("migrate")) {
                        line = line(vm, manager.jobs().steps(j.id()));
                        break;
                    }
                }
                if (line != null && !line.equals(shown) && !done) {
                    err.print("\r" + line + "\u001b[K");
                    err.flush();
                    shown = line;
                }
            }
        } catch (InterruptedException e) {
            // closed
        } catch (RuntimeException e) {
            // the store is busy or gone: the job's own end says how it went
        }
        if (shown != null) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }

    /** The line for the last progress step, or null when there is none yet. */
    static String line(String vm, List<String> steps) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            Matcher live = LIVE.matcher(steps.get(i));
            if (live.lookingAt()) {
                long sent = Long.parseLong(live.group(2));
                long left = Long.parseLong(live.group(3));
                long mbps = live.group(4) == null ? 0 : Long.parseLong(live.group(4));
                String eta = mbps > 0 ? String.format(Locale.ROOT, ", about %d s left", Math.round(left * 8.0
                        / (mbps * 1_000_000.0))) : "";
                return String.format(Locale.ROOT, "migrate %s: %s %s sent, %s left%s%s", vm, live.group(1),
                        size(sent), size(left), mbps > 0 ? ", " + mbps + " Mbit/s" : "", eta);
            }
            Matcher cold = COLD.matcher(steps.get(i));
            if (cold.lookingAt()) {
                return "migrate " + vm + ": disk " + size(Long.parseLong(cold.group(1))) + " copied";
            }
        }
        return null;
    }

    private static String size(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%d MiB", bytes >> 20);
    }
}
