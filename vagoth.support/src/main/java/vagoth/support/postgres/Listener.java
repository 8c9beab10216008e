package vagoth.support.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.postgresql.PGConnection;


/**
 * Keeps a process current with other daemons' changes: a
 * connection of its own {@code LISTEN}s on a channel, and each
 * notification (or, at the latest, every {@link #PERIOD_MS}) leads to a
 * catch-up from the last event seen. Notifications are not replayed after a
 * reconnect; the catch-up after each (re)connection is what makes nothing
 * missed.
 */
public final class Listener implements AutoCloseable {
    public static final int PERIOD_MS = 1000;
    private static final System.Logger LOG = System.getLogger(Listener.class.getName());

    /** What to run to catch up, on a connection of the listener's own. */
    @FunctionalInterface
    public interface CatchUp {
        void run(Connection c) throws SQLException;
    }

    private final Database db;
    private final String channel;
    private final String what;
    private final CatchUp catchUp;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    /** @param what what listens, in its thread's name and in warnings ("registry", "job records") */
    public Listener(Database db, String channel, String what, CatchUp catchUp) {
        this.db = db;
        this.channel = channel;
        this.what = what;
        this.catchUp = catchUp;
        this.thread = new Thread(this::loop, "vagoth-" + what.replace(' ', '-') + "-listener");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        long backoff = 100;
        while (!closed) {
            try (Connection c = db.connect()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("SET application_name = 'vagoth listener'"); // told apart in pg_stat_activity
                    s.execute("LISTEN " + channel);
                }
                catchUp.run(c);
                backoff = 100;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    pg.getNotifications(PERIOD_MS);
                    catchUp.run(c);
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "The " + what + " change listener lost " + db.shownUrl() + " ("
                        + e.getMessage() + "); reconnecting");
                sleep(backoff);
                backoff = Math.min(5_000, backoff * 2);
            } finally {
                connection = null;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing: the loop ends either way
            }
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
