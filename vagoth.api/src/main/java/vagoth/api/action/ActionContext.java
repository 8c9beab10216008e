package vagoth.api.action;

import vagoth.api.Manager;
import vagoth.api.job.Transaction;

/**
 * What an action runs with.
 *
 * @param manager     the manager, to reach nodes and run nested actions
 * @param transaction the transaction the action belongs to
 * @param action      the name it was invoked by
 */
public record ActionContext(Manager manager, Transaction transaction, String action) {
}
