package vagoth.dist;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The shell attached to the home's daemon: each line goes to the daemon over
 * its socket and runs in this shell's session there (no OSGi here). The
 * session is known by an id the shell chose, so a daemon started again while
 * the shell is open gives it a new session under the same id.
 */
final class AttachedShell implements Shell.Backend {
    private final Path socket;
    private final Path dist;
    private final String id = UUID.randomUUID().toString();

    AttachedShell(Path socket, Path dist) {
        this.socket = socket;
        this.dist = dist;
    }

    @Override
    public int execute(String line, PrintStream out, PrintStream err, boolean color, AtomicReference<String> seen) {
        return ThinClient.tryRun(socket, new DaemonProtocol.Request(DaemonProtocol.Kind.SHELL_LINE,
                new String[] {id, line}, color), out, err, seen);
    }

    @Override
    public List<String> complete(List<String> words) {
        List<String> request = new ArrayList<>(words);
        request.add(0, id);
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ThinClient.tryRun(socket, new DaemonProtocol.Request(DaemonProtocol.Kind.COMPLETE, request.toArray(String[]::new),
                false), new PrintStream(answer, true, StandardCharsets.UTF_8),
                new PrintStream(OutputStream.nullOutputStream()), new AtomicReference<>());
        return answer.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    @Override
    public String banner() {
        return "vagoth: attached to the daemon (" + socket + "): 'help' lists the commands, Tab completes, Ctrl-C"
                + " interrupts a command, Ctrl-D leaves";
    }

    @Override
    public String where() {
        return "the daemon";
    }

    /** Starts the home's daemon again, as {@code bin/vagoth} does by itself. */
    @Override
    public boolean revive(PrintStream err) {
        try {
            Process p = new ProcessBuilder(dist.resolve("bin").resolve("vagoth").toString(), "daemon", "start")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true).start();
            byte[] said = p.getInputStream().readAllBytes();
            boolean ended = p.waitFor(60, TimeUnit.SECONDS);
            err.write(said);
            return ended && p.exitValue() == 0 && DaemonServer.answering(socket);
        } catch (java.io.IOException e) {
            err.println("vagoth: cannot start the daemon: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        ThinClient.tryRun(socket, new DaemonProtocol.Request(DaemonProtocol.Kind.SHELL_CLOSE, new String[] {id}, false),
                new PrintStream(OutputStream.nullOutputStream()), new PrintStream(OutputStream.nullOutputStream()),
                new AtomicReference<>());
    }
}
