package vagoth.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a command in the daemon serving this home, if one runs: no OSGi here,
 * just the request over the Unix socket and the answer printed as the
 * one-shot path would print it.
 */
final class ThinClient {
    private static final java.util.regex.Pattern TXID = java.util.regex.Pattern.compile("txid=([0-9a-f]{8})");

    private ThinClient() {
    }

    /**
     * @param seen   set to {@code job <id>} or {@code txid <txid>} as soon as the daemon says what it runs
     * @return the command's exit status, or -1 when no daemon answers (run it
     *         here instead). Once the command has been handed to the daemon it
     *         is never run here: if the daemon goes away before answering, the
     *         outcome is unknown ({@link OneShot#OUTCOME_UNKNOWN}).
     */
    static int tryRun(Path socket, String[] args, boolean color, PrintStream out, PrintStream err,
            java.util.concurrent.atomic.AtomicReference<String> seen) {
        return tryRun(socket, new DaemonProtocol.Request(args, color), out, err, seen);
    }

    /** The same for any request: a command, or a line or completion of an attached shell. */
    static int tryRun(Path socket, DaemonProtocol.Request request, PrintStream out, PrintStream err,
            java.util.concurrent.atomic.AtomicReference<String> seen) {
        if (!Files.exists(socket)) {
            return -1;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                return -1; // a socket left by a daemon that died: run the command here
            }
            DaemonProtocol.Answer a;
            try {
                DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(Channels.newOutputStream(ch)));
                DaemonProtocol.write(o, request);
                a = DaemonProtocol.readAnswer(new DataInputStream(
                        new java.io.BufferedInputStream(Channels.newInputStream(ch))), id -> seen.set("job " + id),
                        chunk -> {
                            err.write(chunk, 0, chunk.length); // action lines, as they happen
                            err.flush();
                            java.util.regex.Matcher m = TXID.matcher(new String(chunk, StandardCharsets.UTF_8));
                            if (m.find()) {
                                seen.compareAndSet(null, "txid " + m.group(1));
                            }
                        });
            } catch (IOException e) {
                String where = seen.get();
                String look = where == null ? "vagoth jobs" : where.startsWith("job ") ? "vagoth " + where
                        : "vagoth jobs --" + where;
                err.println("vagoth: the daemon stopped while it ran '" + request.line() + "'"
                        + (where == null ? "" : " (" + where + ")") + ": whether it was"
                        + " done is unknown, and it is not run again here. '" + look
                        + "' shows what became of it (work"
                        + " the daemon left queued or running is interrupted, never re-run by itself; 'vagoth job"
                        + " retry ID' runs it again)");
                return OneShot.OUTCOME_UNKNOWN;
            }
            err.write(a.err()); // action lines came before the result, as in the one-shot path
            err.flush();
            out.write(a.out());
            out.flush();
            return a.status();
        } catch (IOException e) {
            return OneShot.OUTCOME_UNKNOWN;
        }
    }
}
