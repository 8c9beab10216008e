package vagoth.registry.postgres.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;


import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

import vagoth.api.registry.Registry;
import vagoth.registry.conformance.RegistryConformance;
import vagoth.testing.PostgresServer;

/**
 * The PostgreSQL registry against the conformance suite, on a real PostgreSQL
 * server this test starts: each test's directory gets a database of its own
 * (its URL is written there, for the worker processes).
 */
@Tag("postgres") // a PostgreSQL server of its own: left out of the fast tier
class PostgresRegistryConformanceTest extends RegistryConformance {
    static final String URL_FILE = "postgres.url";
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();

    @Override
    protected Registry open(Path directory) {
        return new PostgresRegistry(databaseFor(directory), PG.server().user(), "");
    }

    /** The database of {@code directory}, created on first use; its URL is written there for the workers. */
    private static String databaseFor(Path directory) {
        try {
            String url = PG.server().database("t" + Integer.toHexString(
                    directory.toAbsolutePath().normalize().toString().hashCode()));
            // atomically: a test opens the registry again while its workers start and read the file
            Path tmp = Files.writeString(directory.resolve(URL_FILE + "." + Thread.currentThread().getId()), url);
            Files.move(tmp, directory.resolve(URL_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return url;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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
