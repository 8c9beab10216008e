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
    private final java.util.Set<String> databases = new java.util.HashSet<>();

    /** Another address to listen on, or null. */
    private String extraAddress;
    private String extraNetwork;

    private PostgresServer(Path dir, Path bin, int port, boolean asPostgres) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.asPostgres = asPostgres;
        this.onExit = new Thread(this::stopQuietly, "vagoth-postgres-stop");
    }

    /** Starts a new server with an empty database {@code vagoth} owned by the superuser {@code vagoth} (trust). */
    public static PostgresServer start() throws IOException, InterruptedException {
        return start(null, null);
    }

    /**
     * As {@link #start()}, listening on {@code address} too (an address of this
     * machine, e.g. one end of a test's own virtual link), trusting clients from
     * {@code network} (CIDR, e.g. that link's {@code 10.1.2.0/30}).
     */
    public static PostgresServer start(String address, String network) throws IOException, InterruptedException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("vagoth-pg");
        boolean root = "root".equals(System.getProperty("user.name"));
        PostgresServer pg = new PostgresServer(dir, bin, freePort(), root);
        pg.extraAddress = address;
        pg.extraNetwork = network;
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
        if (extraAddress != null) {
            Files.writeString(data().resolve("pg_hba.conf"), "\nhost all all " + extraNetwork + " trust\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        Files.writeString(data().resolve("postgresql.conf"), "\nlisten_addresses = '127.0.0.1"
                + (extraAddress == null ? "" : "," + extraAddress) + "'\nport = " + port
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

    /**
     * A streaming standby of this server ({@code pg_basebackup -R}) on a
     * directory and port of its own, started and following this one.
     */
    public PostgresServer standby() throws IOException, InterruptedException {
        Path standbyDir = Files.createTempDirectory("vagoth-pg-standby");
        PostgresServer s = new PostgresServer(standbyDir, bin, freePort(), asPostgres);
        try {
            Files.createDirectories(standbyDir.resolve("sock"));
            if (asPostgres) {
                s.run(List.of("chown", "-R", "postgres:postgres", standbyDir.toString()), false);
            }
            s.run(List.of(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-U",
                    "vagoth", "-D", s.data().toString(), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"), true);
            Files.writeString(s.data().resolve("postgresql.conf"), "\nport = " + s.port + "\nunix_socket_directories = '"
                    + standbyDir.resolve("sock") + "'\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
            s.run(List.of(bin.resolve("pg_ctl").toString(), "-D", s.data().toString(), "-l",
                    standbyDir.resolve("log").toString(), "-w", "-t", String.valueOf(START_TIMEOUT_S), "start"), true);
            Runtime.getRuntime().addShutdownHook(s.onExit);
            return s;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.stopQuietly();
            throw e;
        }
    }

    /**
     * The URL of database {@code vagoth} on this primary and {@code standby},
     * as a daemon of a replicated setup is given it: whichever is the primary
     * ({@code targetServerType=primary}), with short connect and socket
     * timeouts so a failover is noticed within seconds.
     */
    public String failoverUrl(PostgresServer standby) {
        return "jdbc:postgresql://127.0.0.1:" + port + ",127.0.0.1:" + standby.port
                + "/vagoth?targetServerType=primary&connectTimeout=2&socketTimeout=10";
    }

    /** Makes every commit wait until a standby has it ({@code synchronous_standby_names = '*'}). */
    public void synchronousReplication() throws IOException, InterruptedException {
        psql("ALTER SYSTEM SET synchronous_standby_names = '*'");
        psql("SELECT pg_reload_conf()");
    }

    /** Promotes this standby to primary. */
    public void promote() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-w", "promote"), true);
    }

    /** Kills the server's postmaster with SIGKILL, as a machine that loses power. */
    public void kill() throws IOException, InterruptedException {
        String pid = Files.readAllLines(data().resolve("postmaster.pid")).get(0).strip();
        run(List.of("kill", "-KILL", pid), false);
        for (int i = 0; i < 200 && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(50);
        }
    }

    private void psql(String sql) throws IOException, InterruptedException {
        run(List.of(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "vagoth",
                "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql), true);
    }

    /**
     * Makes role {@code role} log in with {@code password} only (SCRAM), the
     * way a production server is set up, while the test's own user stays
     * trusted.
     */
    public synchronized void passwordRole(String role, String password) throws IOException, InterruptedException {
        if (!role.matches("[a-z][a-z0-9_]{0,40}") || !password.matches("[A-Za-z0-9]{1,40}")) {
            throw new IllegalArgumentException("not a role or password for tests: " + role);
        }
        psql("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
        Path hba = data().resolve("pg_hba.conf");
        String before = Files.readString(hba, StandardCharsets.UTF_8);
        Files.writeString(hba, "host all " + role + " 127.0.0.1/32 scram-sha-256\n" + before, StandardCharsets.UTF_8);
        psql("SELECT pg_reload_conf()");
    }

    /**
     * The JDBC URL of database {@code name}, created on first use: a test's
     * own database on the shared server.
     */
    public synchronized String database(String name) throws IOException, InterruptedException {
        if (!name.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("not a database name for tests: " + name);
        }
        if (databases.add(name)) {
            psql("CREATE DATABASE " + name);
        }
        return url().replaceFirst("/vagoth$", "/" + name);
    }

    /**
     * A server for a test class: started before its first test, stopped after
     * its last ({@code @RegisterExtension static final PostgresServer.PerClass pg = new PostgresServer.PerClass();}).
     */
    public static final class PerClass implements org.junit.jupiter.api.extension.BeforeAllCallback,
            org.junit.jupiter.api.extension.AfterAllCallback {
        private PostgresServer server;

        @Override
        public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context) throws Exception {
            server = PostgresServer.start();
        }

        @Override
        public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context) {
            if (server != null) {
                server.close();
            }
        }

        public PostgresServer server() {
            return server;
        }
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
