package vagoth.support.json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import vagoth.api.job.Job;

/** A job as scripts read it: {@code jobs --json} and the remote API print the same. */
public final class JobJson {
    private JobJson() {
    }

    /** The job's fields in a fixed order; an absent value (no error, not started) is left out. */
    public static Map<String, Object> of(Job j) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", j.id());
        o.put("state", j.state().label());
        o.put("action", j.action());
        o.put("queue", j.queue());
        o.put("txid", j.txid());
        o.put("source", j.source());
        o.put("args", new TreeMap<>(j.args()));
        putIfPresent(o, "error", j.error());
        putIfPresent(o, "created", j.created());
        putIfPresent(o, "started", j.started());
        putIfPresent(o, "finished", j.finished());
        return o;
    }

    private static void putIfPresent(Map<String, Object> o, String key, Object value) {
        if (value != null) {
            o.put(key, value.toString());
        }
    }
}
