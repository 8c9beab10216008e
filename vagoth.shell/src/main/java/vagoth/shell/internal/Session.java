package vagoth.shell.internal;

import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.felix.service.command.CommandSession;

import vagoth.api.Installation;
import vagoth.api.Manager;
import vagoth.api.VagothException;

/** What every command takes from its Gogo session, and how it reports a failure. */
final class Session {
    private Session() {
    }

    /** Parses {@code args} by the command's usage. */
    static ParsedArgs parse(String command, String... args) {
        return ParsedArgs.parse(Commands.spec(command), args);
    }

    /** Runs a command's work; a Vagoth failure becomes {@code <command>: <reason> (<node>)}. */
    static String run(String command, String node, Supplier<String> work) {
        try {
            return work.get();
        } catch (VagothException e) {
            throw new CommandFailure(command, e.getMessage(), node != null ? node : e.node().orElse(null));
        }
    }

    /**
     * Runs work in a transaction whose source is the user the command came
     * from (the daemon passes its client's), or the manager's default; the
     * session's transaction listener hears its id first.
     */
    static String asCaller(Manager manager, CommandSession session, Supplier<String> work) {
        Object source = session == null ? null : session.get(Installation.SOURCE_VARIABLE);
        Supplier<String> told = () -> {
            manager.currentTransaction().ifPresent(t -> txListener(session).accept(t.txid()));
            return work.get();
        };
        return source instanceof String s ? manager.inTransaction(s, told) : manager.inTransaction(told);
    }

    /** Told the id of the transaction a command runs in (the daemon passes it on to its client). */
    @SuppressWarnings("unchecked")
    static Consumer<String> txListener(CommandSession session) {
        Object l = session == null ? null : session.get(Installation.TX_LISTENER_VARIABLE);
        return l instanceof Consumer<?> c ? (Consumer<String>) c : id -> { };
    }

    /** Told the id of each job a command starts (the daemon passes it on to its client). */
    @SuppressWarnings("unchecked")
    static Consumer<String> jobListener(CommandSession session) {
        Object l = session == null ? null : session.get(Installation.JOB_LISTENER_VARIABLE);
        return l instanceof Consumer<?> c ? (Consumer<String>) c : id -> { };
    }

    /** The client's standard error, written to as a command runs; null when the session has none. */
    static java.io.PrintStream err(CommandSession session) {
        Object e = session == null ? null : session.get(Installation.ERR_VARIABLE);
        return e instanceof java.io.PrintStream p ? p : null;
    }

    /** Coloured states when the session asks for them. */
    static Style style(CommandSession session) {
        return session != null && Boolean.parseBoolean(String.valueOf(session.get(Installation.COLOR_VARIABLE)))
                ? new Style(true) : Style.PLAIN;
    }

    /** The exit status the one-shot launcher and the daemon's client report. */
    static void exit(CommandSession session, int status) {
        if (session != null) {
            session.put(Installation.EXIT_VARIABLE, status);
        }
    }
}
