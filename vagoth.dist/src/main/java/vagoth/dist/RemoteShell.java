package vagoth.dist;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * {@code bin/vagoth} with no command while a daemon runs: an interactive
 * shell in the thin client (no OSGi here) that runs each line in the daemon.
 * History is kept in {@code var/history}; Tab asks the daemon what may come
 * next (commands, options, VM, hypervisor, node and template names).
 */
final class RemoteShell {
    private final Path socket;

    RemoteShell(Path socket) {
        this.socket = socket;
    }

    int run(Path history) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal)
                    .variable(LineReader.HISTORY_FILE, history)
                    .completer((r, line, candidates) -> {
                        List<String> words = new ArrayList<>(line.words().subList(0, line.wordIndex()));
                        words.add(line.word().substring(0, line.wordCursor()));
                        words.add(0, "complete");
                        for (String c : ask(words.toArray(String[]::new)).split("\n")) {
                            if (!c.isBlank()) {
                                candidates.add(new Candidate(c));
                            }
                        }
                    }).build();
            PrintStream out = new PrintStream(terminal.output(), true, StandardCharsets.UTF_8);
            out.println("vagoth: attached to the daemon (" + socket + "); 'help' lists the commands, Ctrl-D leaves");
            while (true) {
                String line;
                try {
                    line = reader.readLine("vagoth> ");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    return OneShot.OK;
                }
                List<String> words = reader.getParser().parse(line, line.length()).words().stream()
                        .filter(w -> !w.isEmpty()).toList();
                if (words.isEmpty()) {
                    continue;
                }
                if (words.get(0).equals("exit") || words.get(0).equals("quit")) {
                    return OneShot.OK;
                }
                if (ThinClient.tryRun(socket, words.toArray(String[]::new), true, out, out,
                        new java.util.concurrent.atomic.AtomicReference<>()) < 0) {
                    out.println("vagoth: the daemon has gone away");
                    return OneShot.FAILED;
                }
            }
        }
    }

    private String ask(String[] request) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(answer, true, StandardCharsets.UTF_8);
        ThinClient.tryRun(socket, request, false, ps, new PrintStream(new ByteArrayOutputStream()),
                new java.util.concurrent.atomic.AtomicReference<>());
        return answer.toString(StandardCharsets.UTF_8);
    }
}
