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
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "vagoth did not exit");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip(),
                new String(err, StandardCharsets.UTF_8).strip());
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
