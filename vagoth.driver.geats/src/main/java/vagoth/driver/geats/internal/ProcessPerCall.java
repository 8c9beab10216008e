package vagoth.driver.geats.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import vagoth.api.Printable;

/**
 * The protocol as the original spoke it: one agent process per request. The
 * request goes to its standard input, which is then closed; the answer is its
 * standard output, read when it exits (a child that keeps the output open
 * does not hold the answer back); it must exit 0 within the timeout. Its
 * process group is ended after every call, whatever happened.
 */
final class ProcessPerCall implements AgentChannel {
    private static final int STDERR_SHOWN = 2000;
    /** How long the answer may lag behind the agent's exit. */
    private static final long AFTER_EXIT_MS = 200;
    private final List<String> argv;
    private final Executor io;
    private final long maxAnswer;

    /** @param io runs the readers of the agent's output (each call blocks two of its threads) */
    ProcessPerCall(List<String> argv, Executor io, long maxAnswer) {
        this.argv = argv;
        this.io = io;
        this.maxAnswer = maxAnswer;
    }

    @Override
    public String call(String request, Duration timeout) throws AgentFailure {
        Process p = AgentProcess.start(argv);
        CompletableFuture<byte[]> out = AgentProcess.drain(p.getInputStream(), maxAnswer, io);
        CompletableFuture<byte[]> err = AgentProcess.tail(p.getErrorStream(), io);
        try (OutputStream in = p.getOutputStream()) {
            in.write(request.getBytes(StandardCharsets.UTF_8));
            in.write('\n');
        } catch (IOException e) {
            // the agent exited without reading: its exit status and stderr say why
        }
        try {
            try {
                CompletableFuture.anyOf(p.onExit(), out).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // the answer overflowed: reported below
            }
            if (out.isCompletedExceptionally()) {
                AgentProcess.killGroup(p);
                throw new AgentFailure(cause(out));
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException();
            }
            byte[] answer;
            try {
                answer = out.get(AFTER_EXIT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // the agent exited, but something it started still holds its output open
                AgentProcess.killGroup(p);
                answer = out.get(5, TimeUnit.SECONDS);
            }
            if (p.exitValue() != 0) {
                throw new AgentFailure("the agent exited with status " + p.exitValue() + stderr(err, timeout.toMillis()));
            }
            return new String(answer, StandardCharsets.UTF_8).trim();
        } catch (TimeoutException e) {
            AgentProcess.killGroup(p);
            throw new AgentFailure("no answer within " + timeout.toSeconds() + " s; the agent was killed"
                    + stderr(err, 500));
        } catch (InterruptedException e) {
            AgentProcess.killGroup(p);
            Thread.currentThread().interrupt();
            throw new AgentFailure("interrupted while waiting for the agent");
        } catch (ExecutionException e) {
            throw new AgentFailure("cannot read the agent's answer: " + e.getCause().getMessage());
        } finally {
            AgentProcess.killGroup(p); // whatever it left behind
        }
    }

    private static String cause(CompletableFuture<byte[]> f) {
        try {
            f.join();
            return "";
        } catch (java.util.concurrent.CompletionException e) {
            Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e.getCause();
            return c == null ? String.valueOf(e) : c.getMessage();
        }
    }

    static String stderr(CompletableFuture<byte[]> err, long waitMs) {
        try {
            String s = new String(err.get(Math.max(100, Math.min(waitMs, 2000)), TimeUnit.MILLISECONDS),
                    StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                return "";
            }
            return ": " + Printable.of(s.length() > STDERR_SHOWN ? "..." + s.substring(s.length() - STDERR_SHOWN) : s);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            return "";
        }
    }

    @Override
    public void close() {
        // nothing is kept between calls
    }
}
