package vagoth.jobs.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import vagoth.support.postgres.SchemaMigration;

/** The job records' tables, migrated in order, and the channel that wakes other daemons' claims. */
final class JobSchema {
    private static final long MIGRATION_LOCK = 0x7661676f74680003L;

    /** The job records' tables; migration {@code i} takes them from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            "CREATE TABLE vagoth_jobs (seq bigserial UNIQUE, id text PRIMARY KEY, txid text NOT NULL,"
                    + " source text NOT NULL, queue text NOT NULL, action text NOT NULL, args jsonb NOT NULL,"
                    + " state text NOT NULL, error text, created timestamptz NOT NULL, started timestamptz,"
                    + " finished timestamptz, owner text NOT NULL, epoch bigint NOT NULL DEFAULT 0,"
                    + " lease_until timestamptz NOT NULL)",
            "CREATE INDEX vagoth_jobs_open ON vagoth_jobs (state, owner) WHERE state IN ('queued', 'running')",
            "CREATE TABLE vagoth_job_steps (job_id text NOT NULL REFERENCES vagoth_jobs (id) ON DELETE CASCADE,"
                    + " n bigserial, step text NOT NULL, at timestamptz NOT NULL DEFAULT now(),"
                    + " PRIMARY KEY (job_id, n))"),
            List.of("CREATE INDEX vagoth_jobs_queue_open ON vagoth_jobs (queue, seq)"
                    + " WHERE state IN ('queued', 'running')",
                    "CREATE INDEX vagoth_jobs_queued ON vagoth_jobs (seq) WHERE state = 'queued'"));
    /** The channel that wakes other daemons' claims: a job was queued, or ended and freed its queue. */
    static final String CHANNEL = "vagoth_jobs";

    static void migrate(Connection c) throws SQLException {
        SchemaMigration.migrate(c, "vagoth_jobs_schema", MIGRATION_LOCK, MIGRATIONS, "the job records");
    }

    private JobSchema() {
    }
}
