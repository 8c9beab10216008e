package vagoth.dist;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

import vagoth.support.cmd.CommandLine;

/**
 * One interactive shell's session in a container: the same whether the shell
 * is attached to the daemon or runs embedded. A line whose first word is a
 * Vagoth command runs as {@code bin/vagoth <command>} would, its words passed
 * as they are (so {@code list dev*} matches node names, never files); any
 * other line, and any line using Gogo's syntax (pipes, variables, closures),
 * is Gogo's, in a session kept for this shell: {@code felix:lb},
 * {@code felix:install URL}, {@code scr:list} and every other command the
 * container offers.
 */
final class ShellSession implements AutoCloseable {
    /** Characters that make a line Gogo's to parse: pipes, sequences, variables, closures, redirections. */
    private static final String GOGO_SYNTAX = "|;&<>{}()$";
    private static final String VAGOTH_SCOPE = "vagoth:";

    private final Container container;
    private final String source;
    private final Relay out = new Relay();
    private final Relay err = new Relay();
    private Object gogo;
    private boolean busy;

    /** @param source who the work of this shell is attributed to (its user); null for the default */
    ShellSession(Container container, String source) {
        this.container = container;
        this.source = source;
    }

    /** Runs one line; its output goes to {@code o} and {@code e}. @return the exit status the command would have */
    int execute(String line, PrintStream o, PrintStream e, boolean color, Consumer<String> jobs,
            Consumer<String> txids) {
        List<String> words;
        try {
            words = CommandLine.split(line);
        } catch (IllegalArgumentException ex) {
            e.println("vagoth: a quote is not closed: " + line.strip());
            return OneShot.USAGE;
        }
        if (words.isEmpty()) {
            return OneShot.OK;
        }
        OneShot oneShot = new OneShot(container, o, e);
        String command = vagothCommand(oneShot, words.get(0));
        if (command != null && line.chars().noneMatch(c -> GOGO_SYNTAX.indexOf(c) >= 0)) {
            return oneShot.run(command, words.subList(1, words.size()).toArray(String[]::new), color, source, jobs,
                    txids);
        }
        return gogo(line, words.get(0), oneShot, o, e);
    }

    /** The Vagoth command {@code word} names ({@code list}, {@code vagoth:list}, {@code copy-registry}), else null. */
    private static String vagothCommand(OneShot oneShot, String word) {
        String name = word.startsWith(VAGOTH_SCOPE) ? word.substring(VAGOTH_SCOPE.length()) : word;
        return oneShot.commands().contains(name) ? name : null;
    }

    /**
     * What may come next: with one word, the commands (Vagoth's, then every
     * other scope's as {@code scope:name}); after a Vagoth command, its
     * options and the names that fit there.
     */
    List<String> complete(List<String> words) {
        String current = words.isEmpty() ? "" : words.get(words.size() - 1);
        java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
        OneShot oneShot = new OneShot(container, new PrintStream(answer, true, java.nio.charset.StandardCharsets.UTF_8),
                quiet);
        if (words.size() <= 1) {
            TreeSet<String> all = new TreeSet<>(oneShot.commands());
            all.remove(OneShot.INTERNAL_COMPLETE); // the shell's own helper
            all.addAll(oneShot.otherCommands());
            return all.stream().filter(c -> c.startsWith(current)).toList();
        }
        String command = vagothCommand(oneShot, words.get(0));
        if (command == null) {
            return List.of();
        }
        List<String> rest = new ArrayList<>(words);
        rest.set(0, command);
        oneShot.run(OneShot.INTERNAL_COMPLETE, rest.toArray(String[]::new), false);
        return answer.toString(java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    private int gogo(String line, String first, OneShot oneShot, PrintStream o, PrintStream e) {
        Object session;
        boolean own;
        synchronized (this) {
            own = !busy; // a line left running by Ctrl-C keeps the shell's session: this one gets its own
            busy = true;
        }
        try {
            session = own ? shellSession(o, e) : newSession(o, e);
            if (session == null) {
                e.println("vagoth: the container did not start its commands; see var/log/vagoth.log");
                return OneShot.FAILED;
            }
            Method execute = session.getClass().getMethod("execute", CharSequence.class);
            try {
                Object result = execute.invoke(session, line);
                if (result != null) {
                    Object text = session.getClass().getMethod("format", Object.class, int.class).invoke(session, result, 0);
                    if (text != null && !text.toString().isEmpty()) {
                        o.println(text);
                    }
                }
                return OneShot.OK;
            } catch (InvocationTargetException ex) {
                Throwable t = ex.getCause();
                if (t.getClass().getSimpleName().equals("CommandNotFoundException")) {
                    Object missing = t.getClass().getMethod("getCommand").invoke(t);
                    oneShot.unknownCommand(missing == null ? first : missing.toString(), true);
                    return OneShot.USAGE;
                }
                e.println(t.getMessage() == null ? t.toString() : t.getMessage());
                Trace.failure(t, e);
                return t instanceof IllegalArgumentException ? OneShot.USAGE : OneShot.FAILED;
            } finally {
                o.flush();
                e.flush();
                if (!own) {
                    session.getClass().getMethod("close").invoke(session);
                }
            }
        } catch (ReflectiveOperationException ex) {
            e.println("vagoth: cannot run commands: " + ex);
            return OneShot.FAILED;
        } finally {
            if (own) {
                synchronized (this) {
                    busy = false;
                }
            }
        }
    }

    /** This shell's Gogo session, its output sent to this line's streams. */
    private Object shellSession(PrintStream o, PrintStream e) throws ReflectiveOperationException {
        out.to(o);
        err.to(e);
        if (gogo == null) {
            gogo = newSession(new PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                    new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        }
        return gogo;
    }

    private Object newSession(PrintStream o, PrintStream e) throws ReflectiveOperationException {
        Object processor = container.waitForService(OneShot.PROCESSOR, 15_000);
        if (processor == null) {
            return null;
        }
        Object session = processor.getClass().getMethod("createSession", InputStream.class, OutputStream.class,
                OutputStream.class).invoke(processor, InputStream.nullInputStream(), o, e);
        Method put = session.getClass().getMethod("put", String.class, Object.class);
        put.invoke(session, "SCOPE", "vagoth:*"); // a bare name is Vagoth's first, then any scope's
        if (source != null) {
            put.invoke(session, vagoth.api.Installation.SOURCE_VARIABLE, source);
        }
        return session;
    }

    @Override
    public synchronized void close() {
        if (gogo != null) {
            try {
                gogo.getClass().getMethod("close").invoke(gogo);
            } catch (ReflectiveOperationException e) {
                // closing anyway
            }
            gogo = null;
        }
    }

    /** An output stream whose destination is set for each line. */
    private static final class Relay extends OutputStream {
        private volatile OutputStream target = OutputStream.nullOutputStream();

        void to(OutputStream t) {
            target = t;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            target.write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            target.flush();
        }
    }
}
