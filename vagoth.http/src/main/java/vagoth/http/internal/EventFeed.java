package vagoth.http.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.job.Job;
import vagoth.api.job.JobQuery;
import vagoth.support.json.JobJson;
import vagoth.support.json.Json;
import vagoth.support.json.NodeJson;

/**
 * What changed, as events a client can follow and resume: every
 * {@value #PERIOD_MS} ms the registry and the recent jobs are compared with
 * what was seen last, so a change made by any process (the command line, a
 * one-shot run, another daemon on the same database) becomes a
 * {@code node.created}, {@code node.changed} or {@code node.deleted} event,
 * and a job's new state a {@code job} event (a change made through the API
 * is looked for at once); each call through the API that
 * changed something is an {@code api} event with its actor. The last
 * {@value #KEPT} events are kept; an id is {@code EPOCH-SEQ}, the epoch this
 * daemon's start, so a client that resumes from an id this daemon never gave,
 * or from one too old, is told to read everything again ({@code reset}).
 */
@Component(service = EventFeed.class, immediate = true)
public final class EventFeed {
    static final long PERIOD_MS = 250;
    static final int KEPT = 10_000;
    private static final int JOBS_LOOKED_AT = 500;
    /**
     * How long the registry is still looked at after the last stream closed,
     * so that a client that reconnects (with {@code Last-Event-ID}) misses
     * nothing; past it, nobody listens and nothing is computed for nodes.
     */
    static final long LINGER_MS = 60_000;
    private static final System.Logger LOG = System.getLogger(EventFeed.class.getName());

    /** One event: its place in this daemon's sequence, its type and its data (one line of JSON). */
    record Event(long seq, String type, String data) {
    }

    private final Manager manager;
    private final Metrics metrics;
    private final String epoch = Long.toString(System.currentTimeMillis(), 36);
    private final ScheduledExecutorService looker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vagoth-events");
        t.setDaemon(true);
        return t;
    });

    /** A monitor warning is an event of type {@code warning}: {@code {"kind": ..., "text": ...}}. */
    private final java.util.function.BiConsumer<String, String> warnings =
            (kind, text) -> publish("warning", Map.<String, Object>of("kind", kind, "text", text));
    // guarded by this
    private final ArrayDeque<Event> kept = new ArrayDeque<>();
    private long seq;
    private Map<String, Node> nodes;
    private final Map<String, String> jobStates = new HashMap<>();
    /** Event streams open now, and until when nodes are looked at after the last one closed (nanoTime). */
    private int streams;
    private boolean looked;
    private long watchedUntil = System.nanoTime();

    @Activate
    public EventFeed(@Reference Manager manager, @Reference Metrics metrics) {
        this.manager = manager;
        this.metrics = metrics;
        metrics.onMonitorWarning(warnings);
        looker.scheduleWithFixedDelay(this::lookQuietly, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void stop() {
        metrics.removeMonitorWarningListener(warnings);
        looker.shutdownNow();
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * An event stream opens: the nodes are looked at from now on (a first look
     * is the state, not news, and is taken before this returns, so nothing the
     * stream should see is taken for the state).
     */
    void attach() throws InterruptedException {
        synchronized (this) {
            streams++;
        }
        try {
            looker.submit(this::lookQuietly).get();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
            // stopping, or the look failed and was logged: the next one takes the state
        }
    }

    /** An event stream closed. */
    synchronized void detach() {
        streams--;
        watchedUntil = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
    }

    /** Whether anyone reads node events now (or did within {@link #LINGER_MS}). */
    private synchronized boolean watched() {
        return streams > 0 || System.nanoTime() - watchedUntil < 0;
    }

    /** Looks at once, not at the next period: a change made through the API is news now. */
    void lookNow() {
        try {
            looker.execute(this::lookQuietly);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    String epoch() {
        return epoch;
    }

    /** Adds an event of {@code type} with {@code data} (a map, as JSON). */
    synchronized void publish(String type, Map<String, Object> data) {
        kept.addLast(new Event(++seq, type, Json.compact(data)));
        while (kept.size() > KEPT) {
            kept.removeFirst();
        }
        notifyAll();
        Runnable w = published;
        if (w != null) {
            w.run();
        }
    }

    /** Told (on the publishing thread: it must only hand the work on) after each event. */
    private volatile Runnable published;

    void onPublished(Runnable r) {
        published = r;
    }

    /**
     * The events after {@code lastId} (null: from now on, none), waiting up to
     * {@code waitMs} for one when there is none yet. @return them, or null when
     * {@code lastId} cannot be resumed from (another daemon's, or older than
     * what is kept): the client must read everything again
     */
    synchronized List<Event> after(String lastId, long waitMs) throws InterruptedException {
        long from;
        if (lastId == null) {
            from = seq;
        } else {
            int dash = lastId.indexOf('-');
            if (dash < 0 || !lastId.substring(0, dash).equals(epoch)) {
                return null;
            }
            try {
                from = Long.parseLong(lastId.substring(dash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (from > seq || (!kept.isEmpty() && from < kept.peekFirst().seq() - 1)) {
                return null;
            }
        }
        long deadline = System.currentTimeMillis() + waitMs;
        while (seq <= from && !looker.isShutdown()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        if (seq <= from) {
            return List.of();
        }
        List<Event> out = new ArrayList<>();
        for (java.util.Iterator<Event> it = kept.descendingIterator(); it.hasNext();) { // the newest only: cheap
            Event e = it.next();
            if (e.seq() <= from) {
                break;
            }
            out.add(e);
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** How many events are kept. */
    synchronized int kept() {
        return kept.size();
    }

    /** The id of the latest event (what a client that starts now resumes from). */
    synchronized String lastId() {
        return epoch + "-" + seq;
    }

    String id(Event e) {
        return epoch + "-" + e.seq();
    }

    /** When a failed look may be logged again (nanoTime): once a minute at most. Only the looker touches it. */
    private long quietUntil = System.nanoTime();

    private void lookQuietly() {
        try {
            look();
        } catch (RuntimeException e) {
            if (System.nanoTime() - quietUntil >= 0) {
                LOG.log(System.Logger.Level.WARNING, "events: cannot look at the registry and jobs now ("
                        + e.getMessage() + "); trying again every " + PERIOD_MS + " ms, said once a minute");
                quietUntil = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
            }
        }
    }

    private void look() {
        boolean watched = watched();
        Map<String, Node> now = watched ? new LinkedHashMap<>() : null;
        if (watched) { // copying every node costs the most with the most nodes: only while someone reads them
            for (Node n : manager.registry().getNodes(NodeQuery.all())) { // the records, without their types' wrapping
                now.put(n.id(), n);
            }
        }
        List<Job> jobs = manager.jobs().list(new JobQuery(null, null, null, JOBS_LOOKED_AT));
        synchronized (this) {
            boolean first = !looked; // what is there at the start is the state, not news
            looked = true;
            if (now != null && nodes != null) {
                for (Map.Entry<String, Node> e : now.entrySet()) {
                    Node before = nodes.get(e.getKey());
                    if (before == null) {
                        publish("node.created", NodeJson.of(e.getValue()));
                    } else if (!before.equals(e.getValue())) {
                        publish("node.changed", NodeJson.of(e.getValue()));
                    }
                }
                for (Map.Entry<String, Node> e : nodes.entrySet()) {
                    if (!now.containsKey(e.getKey())) {
                        Map<String, Object> gone = new LinkedHashMap<>();
                        gone.put("id", e.getKey());
                        gone.put("name", e.getValue().name());
                        publish("node.deleted", gone);
                    }
                }
            }
            nodes = now; // null while nobody reads: the next reader's first look is the state
            for (int i = jobs.size() - 1; i >= 0; i--) { // oldest first
                Job j = jobs.get(i);
                String state = j.state().label();
                String before = jobStates.put(j.id(), state);
                if (!first && !state.equals(before)) {
                    publish("job", JobJson.of(j));
                    if (j.state().isFinished()) {
                        metrics.jobEnded(j.action(), state, j.started() == null || j.finished() == null ? -1
                                : java.time.Duration.between(j.started(), j.finished()).toMillis() / 1000.0);
                    }
                }
            }
            if (jobStates.size() > 4 * JOBS_LOOKED_AT) {
                java.util.Set<String> recent = new java.util.HashSet<>();
                jobs.forEach(j -> recent.add(j.id()));
                jobStates.keySet().retainAll(recent);
            }
        }
    }
}
