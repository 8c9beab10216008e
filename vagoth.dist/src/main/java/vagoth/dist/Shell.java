package vagoth.dist;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive shell, the same whether it is attached to the home's daemon
 * or runs on a container of its own ({@code --no-daemon}): JLine with the
 * history in the home's {@code var/history} (owner-only), Tab completing
 * commands, options and names, and Ctrl-C interrupting the command being run
 * (which goes on where it runs, its job id said), never the shell. Lines run
 * in a {@link ShellSession} of the container, through the {@link Backend}.
 */
final class Shell {
    /** Where the shell's lines run. */
    interface Backend {
        /**
         * Runs one line.
         *
         * @param seen set to {@code txid <txid>} as soon as the line begins its transaction, and to {@code job <id>}
         *             as soon as it starts a job
         * @return its exit status, or -1 when it could not be handed over (it did not run)
         */
        int execute(String line, PrintStream out, PrintStream err, boolean color, AtomicReference<String> seen);

        /** What may come next after {@code words} (the last one partial). */
        List<String> complete(List<String> words);

        /** How the shell introduces itself. */
        String banner();

        /** Where an interrupted line goes on: {@code the daemon}. */
        String where();

        /** Makes the back end answer again after a line could not be handed over; false when it cannot. */
        boolean revive(PrintStream err);

        /** The shell has ended. */
        void close();
    }

    /** What a line's result is when Ctrl-C came first. */
    private static final int INTERRUPTED = Integer.MIN_VALUE;

    private final Backend backend;

    Shell(Backend backend) {
        this.backend = backend;
    }

    int run(Path history) throws IOException {
        ownerOnly(history);
        try (Terminal terminal = TerminalBuilder.builder().system(true).nativeSignals(true)
                .signalHandler(Terminal.SignalHandler.SIG_IGN).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("vagoth")
                    .variable(LineReader.HISTORY_FILE, history)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // a '!' in a line is the line's
                    .completer((r, line, candidates) -> {
                        List<String> words = new ArrayList<>(line.words().subList(0, line.wordIndex()));
                        words.add(line.word().substring(0, line.wordCursor()));
                        backend.complete(words).forEach(c -> candidates.add(new Candidate(c)));
                    }).build();
            PrintStream out = new PrintStream(terminal.output(), true, StandardCharsets.UTF_8);
            boolean color = !Terminal.TYPE_DUMB.equals(terminal.getType())
                    && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType()) && System.getenv("NO_COLOR") == null;
            out.println(backend.banner());
            while (true) {
                String line;
                try {
                    line = reader.readLine("vagoth> ");
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt drops the line being typed
                } catch (EndOfFileException e) {
                    return OneShot.OK;
                }
                String word = line.strip();
                if (word.equals("exit") || word.equals("quit")) {
                    return OneShot.OK;
                }
                if (!word.isEmpty()) {
                    runLine(terminal, out, line, color);
                }
            }
        } finally {
            backend.close();
        }
    }

    /**
     * Runs a line on a thread of its own, so Ctrl-C can give the prompt back
     * at once: the line goes on where it runs (the daemon, or this shell's
     * container), its further output dropped, and the shell says which job to
     * look at. A line that could not be handed over did not run: the shell
     * says so and, when the daemon can be started again, runs it there.
     */
    private void runLine(Terminal terminal, PrintStream out, String line, boolean color) {
        for (int attempt = 0; attempt < 2; attempt++) {
            AtomicReference<String> seen = new AtomicReference<>();
            Detachable sink = new Detachable(terminal.output());
            PrintStream to = new PrintStream(sink, true, StandardCharsets.UTF_8);
            CompletableFuture<Integer> done = new CompletableFuture<>();
            Thread worker = new Thread(() -> {
                try {
                    done.complete(backend.execute(line, to, to, color, seen));
                } catch (RuntimeException | Error e) {
                    to.println("vagoth: " + e);
                    done.complete(OneShot.FAILED);
                }
            }, "vagoth-shell-line");
            worker.setDaemon(true);
            Terminal.SignalHandler before = terminal.handle(Terminal.Signal.INT, s -> done.complete(INTERRUPTED));
            int status;
            try {
                worker.start();
                status = done.join();
            } finally {
                terminal.handle(Terminal.Signal.INT, before);
            }
            if (status == INTERRUPTED) {
                sink.detach();
                String job = seen.get(); // job ID, or txid T
                out.println();
                out.println("vagoth: interrupted: " + backend.where() + " goes on with '" + line.strip() + "'"
                        + (job == null ? "" : " (" + job + "); 'vagoth " + (job.startsWith("job ") ? job
                                : "jobs --" + job) + "' shows how it ends"));
                return;
            }
            if (status >= 0) {
                return;
            }
            out.println("vagoth: the daemon has gone away: '" + line.strip() + "' was not run");
            if (attempt > 0 || !backend.revive(out)) {
                out.println("vagoth: start one with 'vagoth daemon start' and type the line again");
                return;
            }
        }
    }

    /** The history file, created owner-only, and made so if it was not. */
    private static void ownerOnly(Path history) throws IOException {
        Files.createDirectories(history.getParent());
        if (!Files.exists(history)) {
            Files.createFile(history, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.setPosixFilePermissions(history, PosixFilePermissions.fromString("rw-------"));
    }

    /** The terminal for one line, until Ctrl-C: then whatever the line still writes is dropped. */
    private static final class Detachable extends OutputStream {
        private final OutputStream terminal;
        private volatile boolean detached;

        Detachable(OutputStream terminal) {
            this.terminal = terminal;
        }

        void detach() {
            detached = true;
        }

        @Override
        public void write(int b) throws IOException {
            if (!detached) {
                terminal.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!detached) {
                terminal.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (!detached) {
                terminal.flush();
            }
        }
    }
}
