package vagoth.registry.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import vagoth.support.postgres.SchemaMigration;

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
                    + "END $$"),
            // who polls which hypervisor (PollLeaseTable)
            List.of("CREATE TABLE vagoth_pollers (owner text PRIMARY KEY, alive_until timestamptz NOT NULL)",
                    "CREATE TABLE vagoth_poll_leases (hv text PRIMARY KEY, owner text NOT NULL, epoch bigint NOT NULL,"
                            + " lease_until timestamptz NOT NULL)",
                    // the audit log says who: the source and transaction of the command that made each change
                    "ALTER TABLE vagoth_events ADD COLUMN who text, ADD COLUMN txid text",
                    "DROP FUNCTION vagoth_apply(text[], text[], text[], text[], text[], text[], text[], text, bigint,"
                            + " text[], text[], text[])",
                    "CREATE FUNCTION vagoth_apply(gone text[], ids text[], nodes text[], names text[],"
                    + " name_owners text[], keys text[], key_owners text[], host text, pid bigint, ops text[],"
                    + " event_ids text[], event_nodes text[], whos text[], txids text[]) RETURNS bigint"
                    + " LANGUAGE plpgsql AS $$\n"
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
                    + "  WITH e AS (INSERT INTO vagoth_events (host, pid, op, node_id, node, who, txid)\n"
                    + "      SELECT host, pid, o, i, n::jsonb, w, t FROM unnest(ops, event_ids, event_nodes, whos, txids)"
                    + " WITH ORDINALITY AS u(o, i, n, w, t, ord) ORDER BY ord RETURNING seq)\n"
                    + "    SELECT max(seq) INTO last FROM e;\n"
                    + "  PERFORM pg_notify('vagoth_events', last::text);\n"
                    + "  RETURN last;\n"
                    + "END $$"));

    static final int VERSION = MIGRATIONS.size();

    private Schema() {
    }

    /** Brings the database to {@link #VERSION}; refuses one made by a newer Vagoth. */
    static void migrate(Connection c) throws SQLException {
        SchemaMigration.migrate(c, "vagoth_schema", MIGRATION_LOCK, MIGRATIONS, "the registry database");
    }
}
