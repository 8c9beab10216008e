package vagoth.jobs.postgres.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

import vagoth.api.job.Job;

/**
 * A daemon's job running in a process of its own: workers claiming from the
 * shared PostgreSQL job records, running {@code noop} jobs whichever process
 * queued them. Each run is written to the {@code runs} table (when
 * it began and ended, by the database's clock, and where): what the test
 * reads to tell a job run twice, out of its queue's order, or alongside
 * another of its queue. Runs until killed.
 *
 * <p>It also runs {@code steps} jobs: an action of many short operations, each
 * recorded first as a step of the job (as the multi-step actions do) and
 * then, with when it began (epoch ms), in a local file that the test reads,
 * since a daemon cut off from the database cannot write there.
 *
 * <p>Arguments: URL, user, lease in ms, threads, name, work per job in ms[, steps file].
 */
public final class JobDaemon {
    private JobDaemon() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String name = args[4];
        long workMs = Long.parseLong(args[5]);
        java.nio.file.Path stepsFile = args.length > 6 ? java.nio.file.Path.of(args[6]) : null;
        ThreadLocal<Connection> connection = ThreadLocal.withInitial(() -> {
            try {
                return DriverManager.getConnection(url, user, "");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        PostgresJobStore store = new PostgresJobStore(url, user, "", Duration.ofMillis(Long.parseLong(args[2])));
        new Workers(store, Integer.parseInt(args[3]), job -> switch (job.action()) {
            case "noop" -> noop(connection.get(), job, name, workMs);
            case "steps" -> steps(store, job, workMs, stepsFile);
            default -> "no such action: " + job.action();
        });
        System.out.println("ready " + store.owner());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Notes when the job began and ended, by the database's clock, and where. */
    private static String noop(Connection c, Job job, String daemon, long workMs) {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO runs (job, queue, daemon, began)"
                + " VALUES (?, ?, ?, clock_timestamp())")) {
            p.setString(1, job.id());
            p.setString(2, job.queue());
            p.setString(3, daemon);
            p.executeUpdate();
            Thread.sleep(workMs);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (PreparedStatement p = c.prepareStatement("UPDATE runs SET ended = clock_timestamp() WHERE job = ? AND"
                + " daemon = ?")) {
            p.setString(1, job.id());
            p.setString(2, daemon);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    /** Many short operations, each recorded first as a step (refused once the claim is lost), then in the file. */
    private static String steps(PostgresJobStore store, Job job, long workMs, java.nio.file.Path stepsFile) {
        for (int i = 0; i < Integer.parseInt(job.args().get("count")); i++) {
            store.step(job.id(), "operation " + i); // refused once the claim is lost: the action stops here
            try {
                java.nio.file.Files.writeString(stepsFile, job.id() + " " + i + " " + System.currentTimeMillis() + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                Thread.sleep(workMs);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return null;
    }
}
