package vagoth.support.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Creates and migrates a plugin's tables on first connection: a version table
 * of its own records how far it got; each migration runs once, all in one
 * transaction, under an advisory lock so two daemons starting together do not
 * race. A database made by a newer Vagoth is refused.
 */
public final class SchemaMigration {
    private SchemaMigration() {
    }

    /**
     * @param versionTable the plugin's version table ({@code vagoth_schema})
     * @param lock         the advisory lock key it migrates under
     * @param migrations   migration {@code i} takes the schema from version {@code i} to {@code i + 1}
     * @param what         what the tables hold, for the refusal ("the registry database")
     */
    public static void migrate(Connection c, String versionTable, long lock, List<List<String>> migrations, String what)
            throws SQLException {
        int latest = migrations.size();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + lock + ")");
            s.execute("CREATE TABLE IF NOT EXISTS " + versionTable + " (version int NOT NULL)");
            int version;
            try (ResultSet r = s.executeQuery("SELECT version FROM " + versionTable)) {
                version = r.next() ? r.getInt(1) : -1;
            }
            if (version < 0) {
                s.execute("INSERT INTO " + versionTable + " VALUES (0)");
                version = 0;
            }
            if (version > latest) {
                throw new SQLException(what + " has schema version " + version + ", newer than this Vagoth knows ("
                        + latest + "): upgrade Vagoth");
            }
            for (int v = version; v < latest; v++) {
                for (String sql : migrations.get(v)) {
                    s.execute(sql);
                }
            }
            s.execute("UPDATE " + versionTable + " SET version = " + latest);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
