package vagoth.registry.postgres.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The registry's tables, created and migrated by Vagoth on first connection:
 * {@code vagoth_schema} holds the version; each migration runs once, in one
 * transaction, under a lock so two daemons starting together do not race.
 */
final class Schema {
    /** Advisory lock taken while migrating. */
    private static final long MIGRATION_LOCK = 0x7661676f74680001L;

    /** Migration {@code i} takes the schema from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            "CREATE TABLE vagoth_nodes (id text PRIMARY KEY, node jsonb NOT NULL)",
            // ids and names are one namespace: a node's id and its name each hold a row here
            "CREATE TABLE vagoth_names (name text PRIMARY KEY, node_id text NOT NULL REFERENCES vagoth_nodes (id))",
            "CREATE INDEX vagoth_names_node ON vagoth_names (node_id)",
            "CREATE TABLE vagoth_keys (key text PRIMARY KEY, node_id text NOT NULL REFERENCES vagoth_nodes (id))",
            "CREATE INDEX vagoth_keys_node ON vagoth_keys (node_id)",
            "CREATE TABLE vagoth_blobs (node_id text NOT NULL REFERENCES vagoth_nodes (id), name text NOT NULL,"
                    + " data bytea NOT NULL, PRIMARY KEY (node_id, name))",
            // every change, numbered in commit order: what other daemons catch up from, and the audit log
            "CREATE TABLE vagoth_events (seq bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(),"
                    + " host text NOT NULL, pid bigint NOT NULL, op text NOT NULL, node_id text NOT NULL, node jsonb)"));

    static final int VERSION = MIGRATIONS.size();

    private Schema() {
    }

    /** Brings the database to {@link #VERSION}; refuses one made by a newer Vagoth. */
    static void migrate(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            s.execute("CREATE TABLE IF NOT EXISTS vagoth_schema (version int NOT NULL)");
            int version;
            try (ResultSet r = s.executeQuery("SELECT version FROM vagoth_schema")) {
                version = r.next() ? r.getInt(1) : -1;
            }
            if (version < 0) {
                s.execute("INSERT INTO vagoth_schema VALUES (0)");
                version = 0;
            }
            if (version > VERSION) {
                throw new SQLException("the registry database has schema version " + version + ", newer than this"
                        + " Vagoth knows (" + VERSION + "): upgrade Vagoth");
            }
            for (int v = version; v < VERSION; v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    s.execute(sql);
                }
            }
            s.execute("UPDATE vagoth_schema SET version = " + VERSION);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
