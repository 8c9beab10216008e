package vagoth.shell.internal;

/** The command line itself is wrong; the message ends with the command's usage. Exit status 2. */
final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(CommandSpec spec, String problem) {
        super(spec.name() + ": " + problem + "\nusage: vagoth " + spec.synopsis());
    }

    /** The message alone: the interactive shell prints exceptions with toString. */
    @Override
    public String toString() {
        return getMessage();
    }
}
