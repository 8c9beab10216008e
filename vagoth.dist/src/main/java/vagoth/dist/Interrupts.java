package vagoth.dist;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

import sun.misc.Signal;

/**
 * What Ctrl-C (SIGINT) or SIGTERM does to a command: the first one never
 * tears work in half. One-shot, the running command (its driver call, its job record)
 * finishes, then the process exits; through the daemon the client stops
 * waiting and the daemon goes on. A second Ctrl-C forces the process to end
 * at once.
 */
final class Interrupts {
    /** The exit status of a command a Ctrl-C cut short, as shells report it. */
    static final int INTERRUPTED = 130;

    private Interrupts() {
    }

    /**
     * Installs the handler. {@code first} runs on the first Ctrl-C; the second
     * ends the process at once.
     */
    static void onCtrlC(PrintStream err, java.util.function.Supplier<String> firstMessage, Runnable first) {
        AtomicInteger count = new AtomicInteger();
        for (String name : new String[] {"INT", "TERM"}) {
            handle(name, err, firstMessage, first, count);
        }
    }

    private static void handle(String name, PrintStream err, java.util.function.Supplier<String> firstMessage,
            Runnable first, AtomicInteger count) {
        try {
            Signal.handle(new Signal(name), new sun.misc.SignalHandler() { // not a lambda: the thin client uses it
                @Override
                public void handle(Signal sig) {
                    if (count.incrementAndGet() == 1) {
                        err.println(firstMessage.get());
                        err.flush();
                        first.run();
                    } else {
                        err.println("vagoth: forced to stop");
                        err.flush();
                        Runtime.getRuntime().halt(INTERRUPTED);
                    }
                }
            });
        } catch (IllegalArgumentException e) {
            // no SIGINT here (not a terminal's process, or the JVM reserves it): the default applies
        }
    }
}
