package vagoth.registry.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import vagoth.api.registry.RegistryException;

/**
 * Connections to the registry's database, a few kept open. A connection that
 * failed is closed, not reused. Errors name the URL, never the password.
 */
final class Database implements AutoCloseable {
    private final String url;
    private final Properties props = new Properties();
    private final int timeoutSeconds;
    private final BlockingQueue<Connection> idle;
    private final AtomicInteger open = new AtomicInteger();
    private final int size;
    private volatile boolean closed;

    Database(String url, String user, String password, int timeoutSeconds, int size) {
        this.url = url;
        this.timeoutSeconds = timeoutSeconds;
        this.size = size;
        this.idle = new ArrayBlockingQueue<>(size);
        props.setProperty("user", user);
        if (!password.isEmpty()) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", String.valueOf(timeoutSeconds));
        props.setProperty("loginTimeout", String.valueOf(timeoutSeconds));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("reWriteBatchedInserts", "true");
        // every statement Vagoth runs is a keyed lookup or write, but loading the whole registry: while a
        // fast-growing table's statistics lag (autovacuum has not analysed it yet), keep the planner on the keys
        props.setProperty("options", "-c enable_seqscan=off");
        props.setProperty("ApplicationName", "vagoth");
    }

    /** The URL as an operator may see it: without a password parameter. */
    String shownUrl() {
        return url.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }

    /** A new connection of its own (the change listener keeps one). */
    Connection connect() throws SQLException {
        Connection c = new org.postgresql.Driver().connect(url, props);
        if (c == null) {
            throw new SQLException("not a PostgreSQL JDBC URL: " + shownUrl());
        }
        return c;
    }

    Connection borrow() {
        if (closed) {
            throw new RegistryException("The PostgreSQL registry has been closed");
        }
        Connection c = idle.poll();
        if (c != null) {
            return c;
        }
        if (open.incrementAndGet() <= size) {
            try {
                return connect();
            } catch (SQLException e) {
                open.decrementAndGet();
                throw unreachable(e);
            }
        }
        open.decrementAndGet();
        try {
            c = idle.poll(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Interrupted while waiting for a connection to " + shownUrl());
        }
        if (c == null) {
            throw new RegistryException("No connection to the registry database " + shownUrl() + " came free within "
                    + timeoutSeconds + " s");
        }
        return c;
    }

    /** Gives a connection back; a broken one is closed instead. */
    void release(Connection c, boolean broken) {
        if (broken || closed || !idle.offer(c)) {
            open.decrementAndGet();
            try {
                c.close();
            } catch (SQLException e) {
                // closing a broken connection: nothing more to do
            }
        }
    }

    RegistryException unreachable(SQLException e) {
        return new RegistryException("Cannot reach the registry database " + shownUrl() + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        closed = true;
        for (Connection c; (c = idle.poll()) != null;) {
            release(c, true);
        }
    }
}
