package vagoth.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, started from the distribution's
 * binaries (Debian's {@code postgresql} package) on a temporary directory, a
 * free port on 127.0.0.1 and a socket directory inside it. As root the server
 * runs as the {@code postgres} user. {@link #close} stops it (immediately) and
 * removes its directory; a JVM that exits first stops it too.
 */
public final class PostgresServer implements AutoCloseable {
    private static final long START_TIMEOUT_S = 60;
    private final Path dir;
    private final Path bin;
    private final int port;
    private final boolean asPostgres;
    private final Thread onExit;

    private PostgresServer(Path dir, Path bin, int port, boolean asPostgres) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.asPostgres = asPostgres;
        this.onExit = new Thread(this::stopQuietly, "vagoth-postgres-stop");
    }

    /** Starts a new server with an empty database {@code vagoth} owned by the superuser {@code vagoth} (trust). */
    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("vagoth-pg");
        boolean root = "root".equals(System.getProperty("user.name"));
        PostgresServer pg = new PostgresServer(dir, bin, freePort(), root);
        try {
            pg.init();
            Runtime.getRuntime().addShutdownHook(pg.onExit);
            return pg;
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.stopQuietly();
            throw e;
        }
    }

    /** The newest installed server's binaries: /usr/lib/postgresql/N/bin. */
    static Path binaries() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            throw new IOException("PostgreSQL is not installed (no /usr/lib/postgresql): apt-get install postgresql");
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/pg_ctl")))
                    .max(Comparator.comparing(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new IOException("no PostgreSQL server binaries under " + base));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void init() throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("sock"));
        if (asPostgres) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "-U", "vagoth", "-A", "trust",
                "-E", "UTF8", "--no-sync"), true);
        Files.writeString(data().resolve("postgresql.conf"), "\nlisten_addresses = '127.0.0.1'\nport = " + port
                + "\nunix_socket_directories = '" + dir.resolve("sock") + "'\nmax_connections = 200\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", String.valueOf(START_TIMEOUT_S), "start"), true);
        run(List.of(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "vagoth",
                "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE vagoth"), true);
    }

    private Path data() {
        return dir.resolve("data");
    }

    /** The JDBC URL of database {@code vagoth}. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/vagoth";
    }

    public String user() {
        return "vagoth";
    }

    public int port() {
        return port;
    }

    private void run(List<String> command, boolean asServerUser) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asServerUser && asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(START_TIMEOUT_S * 2, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        if (p.exitValue() != 0) {
            String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out + log);
        }
    }

    private void stopQuietly() {
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w",
                        "stop"), true);
            }
        } catch (IOException | InterruptedException e) {
            // stopping is best effort: the directory goes either way
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs anyway
        }
    }
}
