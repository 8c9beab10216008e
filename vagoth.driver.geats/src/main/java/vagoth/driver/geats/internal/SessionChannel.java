package vagoth.driver.geats.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Our extension: one long-lived agent process ({@code --session}) per
 * hypervisor, one request and one answer per line. Requests are sent one at a
 * time. A process that died, hung past the timeout, answered garbage or more
 * than {@code max.answer.bytes} is killed (with its whole process group) and
 * a new one is started for the next request.
 */
final class SessionChannel implements AgentChannel {
    private final List<String> argv;
    private final java.util.concurrent.Executor io;
    private final long maxAnswer;
    private final ExecutorService reader;
    private Process process;
    private java.io.InputStream answers;
    private OutputStream requests;
    private CompletableFuture<byte[]> stderr;

    SessionChannel(List<String> argv, java.util.concurrent.Executor io, long maxAnswer) {
        this.argv = argv;
        this.io = io;
        this.maxAnswer = maxAnswer;
        this.reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vagoth-geats-session");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public synchronized String call(String request, Duration timeout) throws AgentFailure {
        ensureRunning();
        try {
            requests.write((request.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            requests.flush();
        } catch (IOException e) {
            throw died("the agent session stopped reading requests");
        }
        java.io.InputStream from = answers;
        Future<String> line = reader.submit(() -> AgentProcess.readLine(from, maxAnswer));
        try {
            String answer = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer == null) {
                throw died("the agent session ended without answering");
            }
            return answer.trim();
        } catch (TimeoutException e) {
            line.cancel(true);
            kill();
            throw new AgentFailure("no answer within " + timeout.toSeconds() + " s; the agent session was killed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new AgentFailure("interrupted while waiting for the agent");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AgentProcess.TooLarge tooLarge) {
                kill();
                throw new AgentFailure(tooLarge.getMessage() + "; the agent session was killed");
            }
            throw died("cannot read the agent's answer: " + e.getCause().getMessage());
        }
    }

    /** Called by the driver when an answer could not be understood: the session is no longer in step. */
    synchronized void reset() {
        kill();
    }

    private void ensureRunning() throws AgentFailure {
        if (process != null && process.isAlive()) {
            return;
        }
        kill();
        process = AgentProcess.start(argv);
        answers = new java.io.BufferedInputStream(process.getInputStream());
        requests = process.getOutputStream();
        stderr = AgentProcess.tail(process.getErrorStream(), io);
    }

    private AgentFailure died(String what) {
        Process p = process;
        CompletableFuture<byte[]> err = stderr;
        kill();
        String status = "";
        if (p != null) {
            try {
                if (p.waitFor(1, TimeUnit.SECONDS)) {
                    status = " (exit status " + p.exitValue() + ")";
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new AgentFailure(what + status + (err == null ? "" : ProcessPerCall.stderr(err, 500)));
    }

    private void kill() {
        if (process != null) {
            AgentProcess.killGroup(process);
            process = null;
        }
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            try {
                requests.close(); // the agent ends when its input does
                process.waitFor(2, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                // ended below either way
            }
            kill(); // with anything it left behind
        }
        reader.shutdownNow();
    }
}
