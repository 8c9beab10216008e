package vagoth.shell.internal;

/** A command was understood but failed: {@code <command>: <reason> (<node>)}. Exit status 1. */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CommandFailure(String command, String reason, String node) {
        super(command + ": " + reason + (node == null || node.isEmpty() ? "" : " (" + node + ")"), null, false, false);
    }

    /** The message alone: the interactive shell prints exceptions with toString. */
    @Override
    public String toString() {
        return getMessage();
    }
}
