package vagoth.registry.postgres.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import vagoth.api.registry.Registry;
import vagoth.registry.conformance.RegistryConformance;
import vagoth.testing.PostgresServer;

/**
 * The PostgreSQL registry against the conformance suite, on a real PostgreSQL
 * server this test starts: each test's directory gets a database of its own
 * (its URL is written there, for the worker processes).
 */
class PostgresRegistryConformanceTest extends RegistryConformance {
    static final String URL_FILE = "postgres.url";
    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Registry open(Path directory) {
        return new PostgresRegistry(databaseFor(directory), server.user(), "");
    }

    /** The database of {@code directory}, created on first use. */
    private static String databaseFor(Path directory) {
        String name = "t" + Integer.toHexString(directory.toAbsolutePath().normalize().toString().hashCode());
        String url = server.url().replaceFirst("/vagoth$", "/" + name);
        try (Connection c = DriverManager.getConnection(server.url(), server.user(), "")) {
            boolean exists;
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                p.setString(1, name);
                try (ResultSet r = p.executeQuery()) {
                    exists = r.next();
                }
            }
            if (!exists) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + name);
                }
            }
            Files.writeString(directory.resolve(URL_FILE), url);
            return url;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Class<?> workerMain() {
        return PostgresRegistryWorker.class;
    }

    @Override
    protected void settle(Registry r) {
        ((PostgresRegistry) r).catchUp();
    }
}
