package vagoth.dist;

import java.lang.management.ManagementFactory;

/** With {@code VAGOTH_TRACE=1}, start-up phases and their times since the JVM started, on standard error. */
final class Trace {
    private static final boolean ON = System.getenv("VAGOTH_TRACE") != null;

    private Trace() {
    }

    static void mark(String phase) {
        if (ON) {
            long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.println("vagoth: trace: " + ms + " ms " + phase);
        }
    }
}
