package vagoth.support.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import vagoth.api.InvalidValueException;
import vagoth.api.registry.RegistryException;

/**
 * Connections to the database Vagoth's PostgreSQL plugins share, a few kept open. A connection that
 * failed is closed, not reused. Errors name the URL, never the password.
 */
public final class Database implements AutoCloseable {
    private final String url;
    private final Properties props = new Properties();
    private final int timeoutSeconds;
    private final BlockingQueue<Connection> idle;
    private final AtomicInteger open = new AtomicInteger();
    private final int size;
    private volatile boolean closed;

    public Database(String url, String user, String password, int timeoutSeconds, int size) {
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

    /**
     * The database {@code etc/vagoth.postgres.cfg} names: {@code url},
     * {@code user}, {@code password} or {@code password.file},
     * {@code connect.timeout.s}, {@code pool.size}.
     *
     * @throws InvalidValueException naming the key that is missing or wrong
     */
    public static Database configured(Map<String, ?> props) {
        String url = text(props, "url", "");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new InvalidValueException(PID + " url must be a PostgreSQL JDBC URL (jdbc:postgresql://host/db),"
                    + " not '" + url + "'", null);
        }
        String password = text(props, "password", "");
        String file = text(props, "password.file", "");
        if (!file.isBlank()) {
            try {
                password = Files.readString(Path.of(file)).strip();
            } catch (IOException e) {
                throw new InvalidValueException(PID + " password.file: cannot read " + file + ": " + e.getMessage(), null);
            }
        }
        return new Database(url, text(props, "user", "vagoth"), password, number(props, "connect.timeout.s", 10),
                number(props, "pool.size", 8));
    }

    /** The configuration both PostgreSQL plugins (registry and job store) read. */
    public static final String PID = "vagoth.postgres";

    private static String text(Map<String, ?> props, String key, String fallback) {
        Object v = props.get(key);
        return v == null ? fallback : v.toString().strip();
    }

    /**
     * A whole number, 1 or more, from this configuration.
     *
     * @throws InvalidValueException naming the key when it is not one
     */
    public static int number(Map<String, ?> props, String key, int fallback) {
        String v = text(props, key, "");
        try {
            int n = v.isEmpty() ? fallback : Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidValueException(PID + " " + key + " must be a whole number, 1 or more, not '" + v + "'",
                    null);
        }
    }

    /** The URL as an operator may see it: without a password parameter. */
    public String shownUrl() {
        return url.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }

    /** A new connection of its own (the change listener keeps one). */
    public Connection connect() throws SQLException {
        Connection c = new org.postgresql.Driver().connect(url, props);
        if (c == null) {
            throw new SQLException("not a PostgreSQL JDBC URL: " + shownUrl());
        }
        return c;
    }

    public Connection borrow() {
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
            throw new RegistryException("No connection to the PostgreSQL database " + shownUrl() + " came free within "
                    + timeoutSeconds + " s");
        }
        return c;
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} on a pooled connection. A lost connection is closed,
     * not reused, and reported as {@link #unreachable} (naming the URL); any
     * other SQL error as {@code what: message}.
     */
    public <T> T run(String what, Work<T> work) {
        Connection c = borrow();
        boolean broken = false;
        try {
            return work.run(c);
        } catch (SQLException e) {
            broken = lost(e);
            throw broken ? unreachable(e) : new RegistryException(what + ": " + e.getMessage(), e);
        } finally {
            release(c, broken);
        }
    }

    /** Gives a connection back; a broken one is closed instead. */
    public void release(Connection c, boolean broken) {
        if (broken || closed || !idle.offer(c)) {
            open.decrementAndGet();
            try {
                c.close();
            } catch (SQLException e) {
                // closing a broken connection: nothing more to do
            }
        }
    }

    /** The connection is gone (network, server stopped or crashed, a standby being promoted). */
    public static boolean lost(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    /** Whether {@code e} is {@link #unreachable}'s: the work may succeed on a new connection. */
    public static boolean lost(RuntimeException e) {
        return e instanceof RegistryException && e.getCause() instanceof SQLException s && lost(s);
    }

    public RegistryException unreachable(SQLException e) {
        return new RegistryException("Cannot reach the PostgreSQL database " + shownUrl() + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        closed = true;
        for (Connection c; (c = idle.poll()) != null;) {
            release(c, true);
        }
    }
}
