package vagoth.dist;

import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import vagoth.api.Installation;

/**
 * Where log records go: action lines ({@code vagoth: txid=...}) as they are
 * to the console (standard error) and, with a timestamp, to
 * {@code var/log/vagoth.log}; warnings and errors of any logger likewise.
 */
final class ConsoleLog {
    static final String ACTION_LOGGER = Installation.ACTION_LOGGER;
    static final String API_LOGGER = "vagoth.api";
    private ConsoleLog() {
    }

    /** Where console lines go: a command's own standard error in the daemon, else this process's. */
    private final ThreadLocal<java.io.PrintStream> console = new ThreadLocal<>();
    /** Held so that LogManager, which holds loggers weakly, keeps the configured one. */
    private Logger actions;
    private Logger api;

    /** Sends this thread's console lines to {@code err} until {@link #release()}. */
    void redirect(java.io.PrintStream err) {
        console.set(err);
    }

    void release() {
        console.remove();
    }

    /** The log keeps {@code vagoth.log} and this many older files. */
    static final int KEEP = 4;

    static ConsoleLog configure(Path logDir, long maxBytes) throws IOException {
        ConsoleLog log = new ConsoleLog();
        log.install(logDir, maxBytes);
        return log;
    }

    private void install(Path logDir, long maxBytes) throws IOException {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        RotatingLogFile out = new RotatingLogFile(logDir.resolve("vagoth.log"), maxBytes, KEEP);
        java.nio.file.Files.newByteChannel(logDir.resolve("vagoth.log"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.APPEND).close();
        Formatter format = new Formatter() {
            @Override
            public String format(LogRecord r) {
                String line = String.format("%1$tFT%1$tT.%1$tL %2$s %3$s: %4$s%n", r.getMillis(), r.getLevel(),
                        r.getLoggerName(), formatMessage(r));
                return r.getThrown() == null ? line : line + stackTrace(r.getThrown());
            }
        };
        java.util.logging.Handler file = new java.util.logging.Handler() {
            @Override
            public void publish(LogRecord r) {
                try {
                    out.append(format.format(r).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (IOException e) {
                    reportError("cannot write " + logDir.resolve("vagoth.log"), e, java.util.logging.ErrorManager.WRITE_FAILURE);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Handler toConsole = new java.util.logging.Handler() {
            @Override
            public void publish(LogRecord r) {
                String msg = r.getMessage() == null ? ""
                        : r.getParameters() == null || r.getParameters().length == 0 ? r.getMessage()
                                : java.text.MessageFormat.format(r.getMessage(), r.getParameters());
                String line = r.getLoggerName().equals(ACTION_LOGGER) ? msg
                        : "vagoth: " + (r.getLevel() == Level.SEVERE ? "error" // as System.Logger names it
                                : r.getLevel().getName().toLowerCase(java.util.Locale.ROOT)) + ": " + msg;
                java.io.PrintStream to = console.get();
                (to != null ? to : System.err).println(line);
            }

            @Override
            public void flush() {
                System.err.flush();
            }

            @Override
            public void close() {
            }
        };
        toConsole.setLevel(Level.ALL);
        root.addHandler(file);
        root.addHandler(toConsole);
        actions = Logger.getLogger(ACTION_LOGGER);
        actions.setLevel(Level.INFO);
        api = Logger.getLogger(API_LOGGER); // who changed what through the remote API
        api.setLevel(Level.INFO);
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter s = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(s));
        return s.toString();
    }
}
