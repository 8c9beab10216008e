package vagoth.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a command in the daemon serving this home, if one runs: no OSGi here,
 * just the request over the Unix socket and the answer printed as the
 * one-shot path would print it.
 */
final class ThinClient {
    private ThinClient() {
    }

    /** @return the command's exit status, or -1 when no daemon answers (run it here instead) */
    static int tryRun(Path socket, String[] args, boolean color, PrintStream out, PrintStream err) {
        if (!Files.exists(socket)) {
            return -1;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(Channels.newOutputStream(ch)));
            DaemonProtocol.write(o, new DaemonProtocol.Request(args, color));
            DaemonProtocol.Answer a = DaemonProtocol.readAnswer(new DataInputStream(
                    new java.io.BufferedInputStream(Channels.newInputStream(ch))));
            err.write(a.err()); // action lines came before the result, as in the one-shot path
            err.flush();
            out.write(a.out());
            out.flush();
            return a.status();
        } catch (IOException e) {
            return -1; // a socket left by a daemon that died: run the command here
        }
    }
}
