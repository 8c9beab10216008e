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
                    + " host text NOT NULL, pid bigint NOT NULL, op text NOT NULL, node_id text NOT NULL, node jsonb)"),
            // a batch's net effect and its events in one round trip; returns the last event's number
            List.of("CREATE FUNCTION vagoth_apply(gone text[], ids text[], nodes text[], names text[], name_owners text[],"
                    + " keys text[], key_owners text[], host text, pid bigint, ops text[], event_ids text[],"
                    + " event_nodes text[]) RETURNS bigint LANGUAGE plpgsql AS $$\n"
                    + "DECLARE last bigint;\n"
                    + "BEGIN\n"
                    + "  DELETE FROM vagoth_blobs WHERE node_id = ANY (gone);\n"
                    + "  DELETE FROM vagoth_names WHERE node_id = ANY (gone || ids);\n"
                    + "  DELETE FROM vagoth_keys WHERE node_id = ANY (gone || ids);\n"
                    + "  DELETE FROM vagoth_nodes WHERE id = ANY (gone);\n"
                    + "  INSERT INTO vagoth_nodes (id, node) SELECT i, n::jsonb FROM unnest(ids, nodes) AS u(i, n)\n"
                    + "    ON CONFLICT (id) DO UPDATE SET node = EXCLUDED.node;\n"
                    + "  INSERT INTO vagoth_names (name, node_id) SELECT * FROM unnest(names, name_owners);\n"
                    + "  INSERT INTO vagoth_keys (key, node_id) SELECT * FROM unnest(keys, key_owners);\n"
                    + "  WITH e AS (INSERT INTO vagoth_events (host, pid, op, node_id, node)\n"
                    + "      SELECT host, pid, o, i, n::jsonb FROM unnest(ops, event_ids, event_nodes) WITH ORDINALITY"
                    + " AS u(o, i, n, ord) ORDER BY ord RETURNING seq)\n"
                    + "    SELECT max(seq) INTO last FROM e;\n"
                    + "  PERFORM pg_notify('vagoth_events', last::text);\n"
                    + "  RETURN last;\n"
                    + "END $$"));

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
