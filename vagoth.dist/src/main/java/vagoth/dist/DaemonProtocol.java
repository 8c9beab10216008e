package vagoth.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What the thin client and the daemon say over the Unix socket. Request:
 * {@code VGT1}, the argument count, each argument, and whether the client's
 * output is a terminal. Answer: the exit status, then everything the command
 * wrote to standard output and to standard error.
 */
final class DaemonProtocol {
    static final int MAGIC = 0x56475431; // "VGT1"
    private static final int MAX_BYTES = 256 << 20;

    record Request(String[] args, boolean color) {
    }

    record Answer(int status, byte[] out, byte[] err) {
    }

    private DaemonProtocol() {
    }

    static void write(DataOutputStream o, Request r) throws IOException {
        o.writeInt(MAGIC);
        o.writeInt(r.args().length);
        for (String a : r.args()) {
            bytes(o, a.getBytes(StandardCharsets.UTF_8));
        }
        o.writeBoolean(r.color());
        o.flush();
    }

    static Request readRequest(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a Vagoth client");
        }
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new IOException("bad argument count " + n);
        }
        String[] args = new String[n];
        for (int i = 0; i < n; i++) {
            args[i] = new String(bytes(in), StandardCharsets.UTF_8);
        }
        return new Request(args, in.readBoolean());
    }

    static void write(DataOutputStream o, Answer a) throws IOException {
        o.writeInt(a.status());
        bytes(o, a.out());
        bytes(o, a.err());
        o.flush();
    }

    static Answer readAnswer(DataInputStream in) throws IOException {
        int status = in.readInt();
        return new Answer(status, bytes(in), bytes(in));
    }

    private static void bytes(DataOutputStream o, byte[] b) throws IOException {
        o.writeInt(b.length);
        o.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_BYTES) {
            throw new IOException("bad length " + n);
        }
        return in.readNBytes(n);
    }
}
