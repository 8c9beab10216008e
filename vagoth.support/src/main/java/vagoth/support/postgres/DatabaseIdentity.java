package vagoth.support.postgres;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import vagoth.api.registry.RegistryException;
import vagoth.support.io.FileIo;
import vagoth.support.io.StoreIdentity;

/**
 * A store kept in PostgreSQL as a {@link StoreIdentity.Store}: its identity is
 * a row of {@code vagoth_identity} ({@code store}, {@code id}), so an empty or
 * other database where the home used one is refused, not taken for a new one.
 */
public final class DatabaseIdentity {
    private DatabaseIdentity() {
    }

    /**
     * Checks the database {@code db} holds the store {@code store} ({@code registry}, {@code jobs}) the home
     * recorded, or records it when the home has no record; does nothing without a home.
     *
     * @throws RegistryException with the one line to show when it is refused or cannot be read
     */
    public static void check(Database db, Path home, String store, String what) {
        if (home == null) {
            return;
        }
        Path record = StoreIdentity.record(home, store + ".postgres");
        Connection c = db.borrow();
        boolean broken = true;
        try {
            try (var st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS vagoth_identity (store text PRIMARY KEY, id text NOT NULL)");
            }
            StoreIdentity.open(FileIo.REAL, record, new StoreIdentity.Store() {
                @Override
                public Optional<String> identity() throws IOException {
                    try (PreparedStatement p = c.prepareStatement("SELECT id FROM vagoth_identity WHERE store = ?")) {
                        p.setString(1, store);
                        try (ResultSet r = p.executeQuery()) {
                            return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
                        }
                    } catch (SQLException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                }

                @Override
                public void create(String id) throws IOException {
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_identity (store, id) VALUES (?, ?)"
                            + " ON CONFLICT (store) DO NOTHING")) {
                        p.setString(1, store);
                        p.setString(2, id);
                        p.executeUpdate();
                    } catch (SQLException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                }

                @Override
                public String where() {
                    return db.shownUrl();
                }
            }, what, store + ".postgres");
            broken = false;
        } catch (StoreIdentity.Refused e) {
            broken = false;
            throw new RegistryException(e.getMessage());
        } catch (IOException | SQLException e) {
            throw new RegistryException("Cannot check which " + what + " " + db.shownUrl() + " holds: " + e.getMessage(),
                    e);
        } finally {
            db.release(c, broken);
        }
    }
}
