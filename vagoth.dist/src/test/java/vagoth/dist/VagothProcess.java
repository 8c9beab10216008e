package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the assembled {@code bin/vagoth} as a separate process on one home, as an operator would. */
final class VagothProcess {
    private VagothProcess() {
    }

    record Result(int status, String out, String err) {
    }

    /**
     * Ends every process of {@code home}: those with it as VAGOTH_HOME in their
     * environment (daemons a test started, also those a failing test left),
     * by their pids, waiting for each (SIGTERM, then SIGKILL after a minute).
     */
    static void endProcessesOf(Path home) throws Exception {
        String mine = "VAGOTH_HOME=" + home;
        List<ProcessHandle> left = ProcessHandle.allProcesses().filter(p -> {
            try {
                return List.of(java.nio.file.Files.readString(Path.of("/proc", String.valueOf(p.pid()), "environ"))
                        .split("\0")).contains(mine);
            } catch (IOException | RuntimeException e) {
                return false; // gone, or not ours to read
            }
        }).toList();
        left.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : left) {
            if (p.onExit().completeOnTimeout(null, 60, TimeUnit.SECONDS).get() == null) {
                p.destroyForcibly();
            }
        }
    }

    /** {@code bin/vagoth args...}, run through {@code prefix} (e.g. runuser) when it is not empty. */
    static Result run(Path home, List<String> prefix, String... args) throws IOException, InterruptedException {
        return run(Path.of(System.getProperty("vagoth.dist")), home, prefix, args);
    }

    /** The same, with the distribution in {@code dist}. */
    static Result run(Path dist, Path home, List<String> prefix, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(dist.resolve("bin").resolve("vagoth").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        pb.environment().remove("VAGOTH_JAVA_OPTS");
        pb.environment().remove("VAGOTH_TRACE");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Result r = ended(pb.start(), 120, "bin/vagoth " + String.join(" ", args));
        return new Result(r.status(), r.out().strip(), r.err().strip());
    }

    /**
     * A process's exit status and all it wrote, read while it runs (both
     * pipes at once, so neither fills up). One that has not ended within
     * {@code seconds}, or whose output a process it started keeps open, is
     * killed with all it started and the test fails with what it said so
     * far: a hang is reported, never waited on forever.
     */
    static Result ended(Process p, long seconds, String what) throws InterruptedException {
        java.util.concurrent.CompletableFuture<String> out = drain(p.getInputStream(), what + " stdout");
        java.util.concurrent.CompletableFuture<String> err = drain(p.getErrorStream(), what + " stderr");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new java.util.concurrent.TimeoutException();
            }
            long left = Math.max(1, deadline - System.nanoTime());
            return new Result(p.exitValue(), out.get(left, TimeUnit.NANOSECONDS), err.get(left, TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(what + " did not end within " + seconds + " s (or left its output open), and"
                    + " was killed; it said: " + out.getNow("") + err.getNow(""), e);
        }
    }

    private static java.util.concurrent.CompletableFuture<String> drain(java.io.InputStream in, String name) {
        java.util.concurrent.CompletableFuture<String> read = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                read.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                read.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return read;
    }

    /**
     * An agent command line (a shell script, for tests) that answers a poll
     * with an empty host of 4 GiB and 4 CPUs and runs {@code otherwise} (shell,
     * its double quotes escaped for the command line) for any other request.
     */
    static String pollableAgent(String otherwise) {
        return "/bin/sh -c \"read r; case \\\"\\$r\\\" in *status*) echo '{\\\"success\\\": true, \\\"data\\\": {\\\"vms\\\":"
                + " {}, \\\"status\\\": {\\\"mem_total\\\": 4096, \\\"cpus\\\": 4}}}';; *) " + otherwise + ";; esac\"";
    }
}
