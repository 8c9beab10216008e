package vagoth.core.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;

import vagoth.api.action.Action;
import vagoth.api.job.Transaction;
import vagoth.api.Installation;

/**
 * The line every action logs, as the original did:
 * {@code vagoth: txid=<8 hex> source=<user> action=<name> vm=<id>}.
 */
final class ActionLog {
    /** The logger the line goes to; the launcher prints it on the console and to the log file. */
    static final String LOGGER = Installation.ACTION_LOGGER;
    private final Logger logger = System.getLogger(LOGGER);

    static String line(Transaction tx, String action, Map<String, String> args) {
        return "vagoth: txid=" + tx.txid() + " source=" + tx.source() + " action=" + action + " vm="
                + args.getOrDefault(Action.NODE_ARG, "");
    }

    void started(Transaction tx, String action, Map<String, String> args) {
        logger.log(Level.INFO, line(tx, action, args));
    }
}
