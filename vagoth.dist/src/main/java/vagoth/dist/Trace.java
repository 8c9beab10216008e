package vagoth.dist;

import java.lang.management.ManagementFactory;

/**
 * With {@code VAGOTH_TRACE=1}, start-up phases and their times since the JVM
 * started, and the stack traces of failures, on standard error.
 */
final class Trace {
    private static final boolean ON = System.getenv("VAGOTH_TRACE") != null;

    private Trace() {
    }

    /** The stack trace of a failure, with {@code VAGOTH_TRACE=1} only: the one-line message is said anyway. */
    static void failure(Throwable t, java.io.PrintStream err) {
        if (ON) {
            t.printStackTrace(err);
        }
    }

    static void mark(String phase) {
        if (ON) {
            long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.println("vagoth: trace: " + ms + " ms " + phase);
        }
    }
}
