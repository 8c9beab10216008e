package vagoth.api;

/**
 * Names an installation's parts share: the framework property naming its
 * home, the logger of action lines, and the session variables a command line
 * and its commands exchange. Defined once here so that a launcher, the
 * commands and every plugin agree.
 */
public final class Installation {
    /** Framework property: the installation's home directory ({@code VAGOTH_HOME}). */
    public static final String HOME_PROPERTY = "vagoth.home";
    /** The logger action lines ({@code vagoth: txid=... action=...}) are written to. */
    public static final String ACTION_LOGGER = "vagoth.action";
    /** Session variable: the user a command came from, when not this process's. */
    public static final String SOURCE_VARIABLE = "VAGOTH_SOURCE";
    /** Session variable: when true, output may be coloured. */
    public static final String COLOR_VARIABLE = "VAGOTH_COLOR";
    /** Session variable a command sets to say how it ended beyond success (an exit status). */
    public static final String EXIT_VARIABLE = "VAGOTH_EXIT";
    /** Session variable: a {@code Consumer<String>} told the id of each job a command starts. */
    public static final String JOB_LISTENER_VARIABLE = "VAGOTH_JOB_LISTENER";
    /**
     * Session variable: a {@code Consumer<String>} told the id of the transaction a command runs in, as it begins
     * (the daemon tells its client, which then knows what to look for if the daemon goes away).
     */
    public static final String TX_LISTENER_VARIABLE = "VAGOTH_TX_LISTENER";
    /**
     * Session variable: a {@code java.io.PrintStream} to the client's standard error, written to as a command runs
     * (a migration's progress line on the operator's terminal).
     */
    public static final String ERR_VARIABLE = "VAGOTH_ERR";

    private Installation() {
    }
}
