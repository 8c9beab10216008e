package vagoth.api.job;

import vagoth.api.Manager;

/**
 * What an action runs with.
 *
 * @param manager     the manager, to reach nodes and run nested actions
 * @param transaction the transaction the action belongs to
 * @param action      the name it was invoked by
 */
public record ActionContext(Manager manager, Transaction transaction, String action) {
}
