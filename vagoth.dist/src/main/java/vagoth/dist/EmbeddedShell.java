package vagoth.dist;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** The shell on a container of its own ({@code bin/vagoth --no-daemon}): lines run in this process. */
final class EmbeddedShell implements Shell.Backend {
    private final ShellSession session;

    EmbeddedShell(Container container) {
        this.session = new ShellSession(container, null);
    }

    @Override
    public int execute(String line, PrintStream out, PrintStream err, boolean color, AtomicReference<String> seen) {
        return session.execute(line, out, err, color, id -> seen.set("job " + id),
                txid -> seen.compareAndSet(null, "txid " + txid));
    }

    @Override
    public List<String> complete(List<String> words) {
        return session.complete(words);
    }

    @Override
    public String banner() {
        return "vagoth: a container of this shell's own (no daemon): 'help' lists the commands, Tab completes, Ctrl-C"
                + " interrupts a command, Ctrl-D leaves";
    }

    @Override
    public String where() {
        return "this shell's container";
    }

    @Override
    public boolean revive(PrintStream err) {
        return false; // it runs here: nothing went away
    }

    @Override
    public void close() {
        session.close();
    }
}
