package vagoth.support.proc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a process with a deadline, the one way: its standard input closed, its
 * output (standard error merged in) read on another thread while this one
 * waits, so a process that hangs silently, or that floods, is ended at the
 * deadline (it and every process it started) instead of blocking the reader
 * forever.
 */
public final class Deadline {
    /**
     * How a process ended: its exit status ({@code -1} when it was ended at the deadline) and what it said (its
     * standard error in {@code errors} when {@link #runApart} kept it apart, else empty).
     */
    public record Outcome(int exitValue, boolean timedOut, String output, String errors) {
    }

    private Deadline() {
    }

    /**
     * @param maxOutput how much of its output is kept (the rest is read and dropped)
     * @throws IOException if it cannot be started
     */
    public static Outcome run(List<String> argv, Duration timeout, int maxOutput) throws IOException, InterruptedException {
        return run(new ProcessBuilder(argv).redirectErrorStream(true), timeout, maxOutput);
    }

    /** As {@link #run}, with its standard error kept apart from its output (each up to {@code maxOutput}). */
    public static Outcome runApart(List<String> argv, Duration timeout, int maxOutput) throws IOException,
            InterruptedException {
        return run(new ProcessBuilder(argv), timeout, maxOutput);
    }

    private static Outcome run(ProcessBuilder pb, Duration timeout, int maxOutput) throws IOException,
            InterruptedException {
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> keep(p.getInputStream(), maxOutput),
                Deadline::reader);
        CompletableFuture<byte[]> err = pb.redirectErrorStream() ? CompletableFuture.completedFuture(new byte[0])
                : CompletableFuture.supplyAsync(() -> keep(p.getErrorStream(), maxOutput), Deadline::reader);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return new Outcome(-1, true, text(out), text(err));
        }
        return new Outcome(p.exitValue(), false, text(out), text(err));
    }

    /** A thread of its own for each stream read (a reader blocks until the process ends: never a pool's). */
    private static void reader(Runnable r) {
        Thread t = new Thread(r, "vagoth-process-output");
        t.setDaemon(true);
        t.start();
    }

    /** Reads {@code in} to its end, keeping its first {@code max} bytes: also what was read before it failed. */
    private static byte[] keep(InputStream in, int max) {
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0;) {
                kept.write(buf, 0, Math.max(0, Math.min(n, max - kept.size())));
            }
        } catch (IOException e) {
            // the process was ended, or its output closed: what it said until then is kept
        }
        return kept.toByteArray();
    }

    private static String text(CompletableFuture<byte[]> out) {
        try {
            return new String(out.get(2, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } catch (ExecutionException | TimeoutException e) {
            return ""; // a grandchild holds the output open: what it said is not waited for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
