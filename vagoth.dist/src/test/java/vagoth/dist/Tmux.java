package vagoth.dist;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real terminal for a test: a tmux server of the test's own (its own
 * socket, so no one else's sessions are touched), one window running a
 * command, keys typed into it and its screen read back.
 */
final class Tmux implements AutoCloseable {
    private final String socket = "vagoth-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private static final String WINDOW = "t";

    /** Starts {@code command} in a 200x50 terminal, in {@code dir}, with {@code env} added to the environment. */
    Tmux(Path dir, Map<String, String> env, String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("new-session", "-d", "-s", WINDOW, "-x", "200", "-y", "50", "-c",
                dir.toString()));
        StringBuilder line = new StringBuilder("env");
        env.forEach((k, v) -> line.append(' ').append(k).append("='").append(v.replace("'", "'\\''")).append('\''));
        // the window stays after the command ends, so what it said last can be read
        cmd.add(line.append(' ').append(command).append("; echo '[exited '$?']'; sleep 600").toString());
        tmux(cmd.toArray(String[]::new));
    }

    /** Types {@code keys} (tmux key names: {@code Enter}, {@code Tab}, {@code C-c}; other words as text). */
    void keys(String... keys) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("send-keys", "-t", WINDOW));
        cmd.addAll(List.of(keys));
        tmux(cmd.toArray(String[]::new));
    }

    /** Types {@code text} literally and presses Enter. */
    void line(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", WINDOW, "-l", text);
        keys("Enter");
    }

    /**
     * The screen and its scroll-back, as text, without the blank rows below
     * the cursor: what was shown only grows, so a length read before typing
     * marks where the answer starts.
     */
    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", WINDOW).stripTrailing();
    }

    /** Waits (up to 60 s: the test's own timeout bounds it) until the screen satisfies {@code done}. */
    String await(String what, Predicate<String> done) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String s = screen();
        while (!done.test(s)) {
            if (System.nanoTime() > deadline) {
                fail("the terminal never showed " + what + ":\n" + s);
            }
            Thread.sleep(100);
            s = screen();
        }
        return s;
    }

    /** Waits until the screen's text after {@code from} characters contains {@code text}. */
    String awaitAfter(int from, String text) throws IOException, InterruptedException {
        return await("'" + text + "'", s -> s.length() > from && s.substring(from).contains(text));
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "-f", "/dev/null"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("tmux " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** Ends this test's tmux server and what runs in it (only that: it is the test's own socket). */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            tmux("kill-server");
        } catch (IOException e) {
            // already gone
        }
    }
}
