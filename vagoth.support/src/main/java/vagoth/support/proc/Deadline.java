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
    /** How a process ended: its exit status ({@code -1} when it was ended at the deadline) and what it said. */
    public record Outcome(int exitValue, boolean timedOut, String output) {
    }

    private Deadline() {
    }

    /**
     * @param maxOutput how much of its output is kept (the rest is read and dropped)
     * @throws IOException if it cannot be started
     */
    public static Outcome run(List<String> argv, Duration timeout, int maxOutput) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> keep(p.getInputStream(), maxOutput));
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return new Outcome(-1, true, text(out));
        }
        return new Outcome(p.exitValue(), false, text(out));
    }

    private static byte[] keep(InputStream in, int max) {
        try (in) {
            byte[] kept = in.readNBytes(max);
            in.transferTo(OutputSink.INSTANCE);
            return kept;
        } catch (IOException e) {
            return new byte[0]; // the process was ended, or its output closed: what was read is lost with it
        }
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

    /** Where output past the kept part goes. */
    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
