package vagoth.registry.postgres.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import vagoth.registry.conformance.RegistryWorker;

/** Writer process for the multi-process and crash tests: the database is the one the directory names. */
public final class PostgresRegistryWorker {
    private PostgresRegistryWorker() {
    }

    public static void main(String[] args) {
        RegistryWorker.run(dir -> {
            try {
                String url = Files.readString(dir.resolve(PostgresRegistryConformanceTest.URL_FILE)).strip();
                return new PostgresRegistry(url, "vagoth", "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, args);
    }
}
