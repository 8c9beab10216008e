package vagoth.driver.geats.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The protocol as the original spoke it: one agent process per request. The
 * request goes to its standard input, which is then closed; the answer is its
 * standard output; it must exit 0 within the timeout.
 */
final class ProcessPerCall implements AgentChannel {
    private static final int STDERR_SHOWN = 2000;
    private final List<String> argv;
    private final java.util.concurrent.Executor io;

    /** @param io runs the readers of the agent's output (each call blocks two of its threads) */
    ProcessPerCall(List<String> argv, java.util.concurrent.Executor io) {
        this.argv = argv;
        this.io = io;
    }

    @Override
    public String call(String request, Duration timeout) throws AgentFailure {
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new AgentFailure("cannot run agent " + argv.get(0) + ": " + e.getMessage());
        }
        CompletableFuture<byte[]> out = drain(p.getInputStream(), io);
        CompletableFuture<byte[]> err = drain(p.getErrorStream(), io);
        try (OutputStream in = p.getOutputStream()) {
            in.write(request.getBytes(StandardCharsets.UTF_8));
            in.write('\n');
        } catch (IOException e) {
            // the agent exited without reading: its exit status and stderr say why
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AgentFailure("no answer within " + timeout.toSeconds() + " s; the agent was killed"
                        + stderr(err, 500));
            }
            String stdout = new String(out.get(timeout.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AgentFailure("the agent exited with status " + p.exitValue() + stderr(err, timeout.toMillis()));
            }
            return stdout.trim();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AgentFailure("interrupted while waiting for the agent");
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AgentFailure("cannot read the agent's answer: " + e.getMessage());
        }
    }

    static CompletableFuture<byte[]> drain(InputStream s, java.util.concurrent.Executor io) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return s.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }, io);
    }

    static String stderr(CompletableFuture<byte[]> err, long waitMs) {
        try {
            String s = new String(err.get(Math.max(100, Math.min(waitMs, 2000)), TimeUnit.MILLISECONDS),
                    StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                return "";
            }
            return ": " + (s.length() > STDERR_SHOWN ? "..." + s.substring(s.length() - STDERR_SHOWN) : s);
        } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
            return "";
        }
    }

    @Override
    public void close() {
        // nothing is kept between calls
    }
}
