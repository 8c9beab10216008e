package vagoth.jobs.file.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.support.io.ChecksummedLine;

/**
 * One line of the job log (a {@link ChecksummedLine} of JSON): the whole record
 * of a job as it is after a change, and the pid of the process that changed it.
 */
final class JobLine {
    private JobLine() {
    }

    /** A job as read back, with the process that last wrote it and the steps it recorded. */
    record Entry(Job job, long owner, List<String> steps) {
    }

    static byte[] encode(Job j, long owner) {
        return encode(j, owner, List.of());
    }

    static byte[] encode(Job j, long owner, List<String> steps) {
        StringWriter s = new StringWriter(256);
        try (JsonWriter w = new JsonWriter(s)) {
            w.beginObject();
            w.name("id").value(j.id()).name("txid").value(j.txid()).name("source").value(j.source());
            w.name("queue").value(j.queue()).name("action").value(j.action());
            w.name("args").beginObject();
            for (Map.Entry<String, String> e : j.args().entrySet()) {
                w.name(e.getKey()).value(e.getValue());
            }
            w.endObject();
            w.name("state").value(j.state().label());
            if (j.error() != null) {
                w.name("error").value(j.error());
            }
            time(w, "created", j.created());
            time(w, "started", j.started());
            time(w, "finished", j.finished());
            w.name("owner").value(owner);
            if (!steps.isEmpty()) {
                w.name("steps").beginArray();
                for (String step : steps) {
                    w.value(step);
                }
                w.endArray();
            }
            w.endObject();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return ChecksummedLine.encode(s.toString());
    }

    private static void time(JsonWriter w, String name, Instant t) throws IOException {
        if (t != null) {
            w.name(name).value(t.toString());
        }
    }

    /** @throws IOException naming what is wrong with the line */
    static Entry decode(byte[] b, int start, int end) throws IOException {
        String json = ChecksummedLine.decode(b, start, end);
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            String id = null, txid = null, source = null, queue = null, action = null, error = null;
            JobState state = null;
            Instant created = null, started = null, finished = null;
            long owner = -1;
            List<String> steps = new java.util.ArrayList<>();
            Map<String, String> args = new LinkedHashMap<>();
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "id" -> id = r.nextString();
                    case "txid" -> txid = r.nextString();
                    case "source" -> source = r.nextString();
                    case "queue" -> queue = r.nextString();
                    case "action" -> action = r.nextString();
                    case "error" -> error = r.nextString();
                    case "state" -> state = JobState.valueOf(r.nextString().toUpperCase(java.util.Locale.ROOT));
                    case "created" -> created = Instant.parse(r.nextString());
                    case "started" -> started = Instant.parse(r.nextString());
                    case "finished" -> finished = Instant.parse(r.nextString());
                    case "owner" -> owner = r.nextLong();
                    case "steps" -> {
                        r.beginArray();
                        while (r.hasNext()) {
                            steps.add(r.nextString());
                        }
                        r.endArray();
                    }
                    case "args" -> {
                        r.beginObject();
                        while (r.hasNext()) {
                            args.put(r.nextName(), r.nextString());
                        }
                        r.endObject();
                    }
                    default -> r.skipValue();
                }
            }
            r.endObject();
            if (id == null || state == null || created == null || r.peek() != JsonToken.END_DOCUMENT) {
                throw new IOException("the record is incomplete");
            }
            return new Entry(new Job(id, txid, source, queue, action, args, state, error, created, started, finished),
                    owner, List.copyOf(steps));
        } catch (RuntimeException e) {
            throw new IOException("unreadable record (" + e.getMessage() + ")", e);
        }
    }
}
