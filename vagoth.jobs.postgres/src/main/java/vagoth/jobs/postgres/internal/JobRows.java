package vagoth.jobs.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;

import vagoth.api.job.Job;
import vagoth.api.job.JobState;

/** A job's row as the store reads it: the columns selected, and the job they make. */
final class JobRows {
    static final Gson GSON = new Gson();

    static final String COLUMNS = "id, txid, source, queue, action, args::text, state, error, created,"
            + " started, finished";

    static Job job(ResultSet r) throws SQLException {
        Map<String, String> args = GSON.fromJson(r.getString(6), new TypeToken<LinkedHashMap<String, String>>() {
        }.getType());
        return new Job(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), args,
                JobState.valueOf(r.getString(7).toUpperCase(Locale.ROOT)), r.getString(8), instant(r.getTimestamp(9)),
                instant(r.getTimestamp(10)), instant(r.getTimestamp(11)));
    }

    static java.time.Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    static Timestamp timestamp(java.time.Instant i) {
        return i == null ? null : Timestamp.from(i.truncatedTo(java.time.temporal.ChronoUnit.MICROS)); // what PostgreSQL keeps
    }

    private JobRows() {
    }
}
