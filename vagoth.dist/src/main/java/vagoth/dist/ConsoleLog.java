package vagoth.dist;

import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Where log records go: action lines ({@code vagoth: txid=...}) as they are
 * to the console (standard error) and, with a timestamp, to
 * {@code var/log/vagoth.log}; warnings and errors of any logger likewise.
 */
final class ConsoleLog {
    static final String ACTION_LOGGER = "vagoth.action";
    private ConsoleLog() {
    }

    /** @return the action logger, which the caller must keep (LogManager holds loggers weakly) */
    static Logger configure(Path logDir) throws IOException {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        FileHandler file = new FileHandler(logDir.resolve("vagoth.log").toString(), 0, 1, true);
        file.setEncoding("UTF-8");
        file.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String line = String.format("%1$tFT%1$tT.%1$tL %2$s %3$s: %4$s%n", r.getMillis(), r.getLevel(),
                        r.getLoggerName(), formatMessage(r));
                return r.getThrown() == null ? line : line + stackTrace(r.getThrown());
            }
        });
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.ALL);
        console.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String msg = formatMessage(r);
                return (r.getLoggerName().equals(ACTION_LOGGER) ? msg : "vagoth: " + r.getLevel().getName().toLowerCase()
                        + ": " + msg) + System.lineSeparator();
            }
        });
        root.addHandler(file);
        root.addHandler(console);
        Logger actions = Logger.getLogger(ACTION_LOGGER);
        actions.setLevel(Level.INFO);
        return actions;
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter s = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(s));
        return s.toString();
    }
}
