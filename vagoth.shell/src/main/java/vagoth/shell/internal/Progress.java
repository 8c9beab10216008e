package vagoth.shell.internal;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import vagoth.api.Manager;
import vagoth.api.action.Action;
import vagoth.api.job.Job;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;

/**
 * Migrations' progress on the operator's terminal: a line a VM whose
 * migration runs, rewritten in place as the jobs record their progress
 * steps: what is sent and left, the rate and the time left. {@code migrate}
 * watches one VM, {@code evacuate} all it moves (a line for each of those
 * under way). Only for a client with a terminal; what a command prints
 * otherwise is unchanged.
 */
final class Progress {
    /** A live migration's step: {@code progress: memory 17888018 bytes sent, 247992320 left, 1074 Mbit/s}. */
    private static final Pattern LIVE = Pattern.compile(
            "progress: (\\w+) ([0-9]+) bytes sent, ([0-9]+) left(?:, ([0-9]+) Mbit/s)?");
    /** A cold migration's disk copy: {@code copying its disk: 412090368 bytes so far}. */
    private static final Pattern COLD = Pattern.compile("copying its disk: ([0-9]+) bytes so far");
    private static final Duration EVERY = Duration.ofMillis(500);
    /** The running jobs read at once; an evacuation runs at most 64 migrations together. */
    private static final int RUNNING_READ = 500;

    private final Thread thread;
    private final PrintStream err;
    private volatile boolean done;
    /** The lines on the terminal now. */
    private List<String> shown = List.of();

    private Progress(Manager manager, Map<String, String> vms, PrintStream err) {
        this.err = err;
        thread = new Thread(() -> show(manager, vms), "vagoth-progress");
        thread.setDaemon(true);
    }

    /**
     * Shows on {@code err} the progress of the migrations of {@code vms} (id to name) that run now, every half
     * second, until {@link #close()}; started before the migrations are scheduled, so that a scheduler that runs
     * them inline is watched too.
     */
    static Progress watch(Manager manager, Map<String, String> vms, PrintStream err) {
        Progress p = new Progress(manager, Map.copyOf(vms), err);
        p.thread.start();
        return p;
    }

    /** Stops showing, and clears the lines. */
    void close() {
        done = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Clears the lines shown now, at once, so that what is written next (the action's log line of the next
     * migration) starts on a line of its own; the lines come back at the next turn.
     */
    synchronized void clear() {
        if (!shown.isEmpty()) {
            redraw(err, shown.size(), List.of());
            shown = List.of();
        }
    }

    /** Draws {@code lines} in place of those shown, unless closed meanwhile. */
    private synchronized void draw(List<String> lines) {
        if (!lines.equals(shown) && !done) {
            redraw(err, shown.size(), lines);
            shown = lines;
        }
    }

    private void show(Manager manager, Map<String, String> vms) {
        try {
            while (!done) {
                Thread.sleep(EVERY.toMillis());
                List<String> lines = new ArrayList<>();
                for (Job j : manager.jobs().list(new JobQuery(JobState.RUNNING, null, null, RUNNING_READ))) {
                    String vm = vms.getOrDefault(j.args().get(Action.NODE_ARG), vms.get(j.queue()));
                    if (vm != null && j.action().equals("migrate")) {
                        String line = line(vm, manager.jobs().steps(j.id()));
                        if (line != null) {
                            lines.add(line);
                        }
                    }
                }
                Collections.sort(lines);
                draw(lines);
            }
        } catch (InterruptedException e) {
            // closed
        } catch (RuntimeException e) {
            // the store is busy or gone: the jobs' own ends say how they went
        }
        clear();
    }

    /**
     * Replaces the {@code before} lines shown last (the cursor at the end of the last) by {@code lines}: back to
     * the first, each rewritten and cleared to its end, what is left over cleared, the cursor left on the last
     * line written (the first, when none).
     */
    static void redraw(PrintStream err, int before, List<String> lines) {
        StringBuilder b = new StringBuilder(before > 1 ? "\u001b[" + (before - 1) + "F" : "\r");
        int rows = Math.max(before, lines.size());
        for (int i = 0; i < rows; i++) {
            if (i > 0) {
                b.append('\n');
            }
            b.append(i < lines.size() ? lines.get(i) : "").append("\u001b[K");
        }
        int up = rows - Math.max(lines.size(), 1);
        if (up > 0) {
            b.append("\u001b[").append(up).append('F');
        }
        err.print(b);
        err.flush();
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
