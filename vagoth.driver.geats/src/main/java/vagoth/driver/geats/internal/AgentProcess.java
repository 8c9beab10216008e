package vagoth.driver.geats.internal;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Starting an agent and ending it. The agent leads a process group of its own
 * ({@code setsid}), so that ending it ends everything it started too, even a
 * child that outlived it and still holds its output open; and whatever it
 * prints is read into a bounded buffer, so a flooding agent cannot exhaust
 * memory.
 */
final class AgentProcess {
    private static final String SETSID = "/usr/bin/setsid";
    private static final String KILL = "/bin/kill";
    /** How much of an agent's standard error is kept (the end of it). */
    static final int STDERR_KEPT = 64 * 1024;

    private AgentProcess() {
    }

    /** An agent's output went past the limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long limit) {
            super("its answer is larger than " + limit + " bytes (max.answer.bytes)");
        }
    }

    static Process start(List<String> argv) throws AgentChannel.AgentFailure {
        String program = argv.get(0);
        if (!runnable(program)) {
            throw new AgentChannel.AgentFailure("cannot run agent " + program + ": no such executable file");
        }
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of(SETSID))) {
            cmd.add(SETSID);
        }
        cmd.addAll(argv);
        try {
            return new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new AgentChannel.AgentFailure("cannot run agent " + program + ": " + e.getMessage());
        }
    }

    private static boolean runnable(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return true; // let the system decide
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Ends the agent and everything in its process group, now. */
    static void killGroup(Process p) {
        if (p == null) {
            return;
        }
        if (Files.isExecutable(Path.of(SETSID)) && Files.isExecutable(Path.of(KILL))) {
            try {
                Process k = new ProcessBuilder(KILL, "-KILL", "--", "-" + p.pid())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                k.waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                // fall back to what Java can see
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Reads {@code s} to its end, failing with {@link TooLarge} past {@code limit} bytes. */
    static CompletableFuture<byte[]> drain(InputStream s, long limit, Executor io) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = s.read(buf)) >= 0;) {
                    if (out.size() + n > limit) {
                        throw new java.util.concurrent.CompletionException(new TooLarge(limit));
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // the stream was closed under us: what was read is what there is
            }
            return out.toByteArray();
        }, io);
    }

    /** Reads {@code s} to its end, keeping only its last {@link #STDERR_KEPT} bytes. */
    static CompletableFuture<byte[]> tail(InputStream s, Executor io) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = s.read(buf)) >= 0;) {
                    out.write(buf, 0, n);
                    if (out.size() > 2 * STDERR_KEPT) {
                        byte[] all = out.toByteArray();
                        out.reset();
                        out.write(all, all.length - STDERR_KEPT, STDERR_KEPT);
                    }
                }
            } catch (IOException e) {
                // closed under us
            }
            byte[] all = out.toByteArray();
            return all.length <= STDERR_KEPT ? all : java.util.Arrays.copyOfRange(all, all.length - STDERR_KEPT, all.length);
        }, io);
    }

    /**
     * One line from {@code in}, without its newline; null at the end of the
     * stream. More than {@code limit} bytes without a newline is {@link TooLarge}.
     */
    static String readLine(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                return line.size() == 0 ? null : line.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
            if (c == '\n') {
                return line.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
            if (line.size() >= limit) {
                throw new TooLarge(limit);
            }
            line.write(c);
        }
    }
}
