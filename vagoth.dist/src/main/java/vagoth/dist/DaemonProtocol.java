package vagoth.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What the thin client and the daemon say over the Unix socket. Request:
 * {@code VGT2}, what is asked ({@link Kind}), the argument count, each
 * argument, and whether the client's output is a terminal ({@code VGT1}, a
 * command without the kind, is still understood). Answer: a notice for each job the command starts
 * ({@link #JOB_NOTICE} and the job's id), sent as it starts, and one for
 * the transaction it runs in ({@link #TX_NOTICE} and its id), so a client
 * that loses the daemon knows what to look for; then the exit status, and
 * everything the command wrote to standard output and to standard error.
 */
final class DaemonProtocol {
    static final int MAGIC_V1 = 0x56475431; // "VGT1": a command
    static final int MAGIC = 0x56475432; // "VGT2": with its kind
    /** Precedes a job id in an answer; never an exit status (those are 0 to 255). */
    static final int JOB_NOTICE = -0x4a4f4221;
    /** Precedes what the command wrote to standard error so far (action lines), sent as it is written. */
    static final int ERR_CHUNK = -0x45525221;
    /** Precedes the id of the transaction the command runs in, sent as it begins. */
    static final int TX_NOTICE = -0x54584e21;
    private static final int MAX_BYTES = 256 << 20;
    /** A command's arguments together, at most: far more than a command line holds (Linux's is 2 MiB). */
    static final int MAX_REQUEST_BYTES = 8 << 20;

    /** What a request asks for; its arguments are, by kind: */
    enum Kind {
        /** the command line ({@code list dev*}) */
        COMMAND,
        /** the shell's session id and one line it read */
        SHELL_LINE,
        /** the shell's session id and the words to complete, the last one partial; answers a candidate a line */
        COMPLETE,
        /** the shell's session id: the shell has ended */
        SHELL_CLOSE
    }

    record Request(Kind kind, String[] args, boolean color) {
        Request(String[] args, boolean color) {
            this(Kind.COMMAND, args, color);
        }

        /** The command line as the operator typed it. */
        String line() {
            return kind == Kind.COMMAND ? String.join(" ", args) : kind == Kind.SHELL_LINE && args.length > 1 ? args[1]
                    : kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    record Answer(int status, byte[] out, byte[] err) {
    }

    private DaemonProtocol() {
    }

    static void write(DataOutputStream o, Request r) throws IOException {
        o.writeInt(MAGIC);
        o.writeByte(r.kind().ordinal());
        o.writeInt(r.args().length);
        for (String a : r.args()) {
            bytes(o, a.getBytes(StandardCharsets.UTF_8));
        }
        o.writeBoolean(r.color());
        o.flush();
    }

    static Request readRequest(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC && magic != MAGIC_V1) {
            throw new IOException("not a Vagoth client");
        }
        Kind kind = Kind.COMMAND;
        if (magic == MAGIC) {
            int k = in.readUnsignedByte();
            if (k >= Kind.values().length) {
                throw new IOException("unknown request kind " + k);
            }
            kind = Kind.values()[k];
        }
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new IOException("bad argument count " + n);
        }
        String[] args = new String[n];
        long left = MAX_REQUEST_BYTES;
        for (int i = 0; i < n; i++) {
            int len = in.readInt();
            if (len < 0 || len > left) {
                throw new IOException("a request over " + MAX_REQUEST_BYTES + " bytes");
            }
            left -= len;
            args[i] = new String(in.readNBytes(len), StandardCharsets.UTF_8);
        }
        return new Request(kind, args, in.readBoolean());
    }

    static void write(DataOutputStream o, Answer a) throws IOException {
        o.writeInt(a.status());
        bytes(o, a.out());
        bytes(o, a.err());
        o.flush();
    }

    /** Tells the client a command started job {@code id}. */
    static void writeJob(DataOutputStream o, String id) throws IOException {
        o.writeInt(JOB_NOTICE);
        bytes(o, id.getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    /** Sends what a command wrote to standard error, at once. */
    static void writeErr(DataOutputStream o, byte[] chunk) throws IOException {
        o.writeInt(ERR_CHUNK);
        bytes(o, chunk);
        o.flush();
    }

    /** Tells the client a command runs in transaction {@code txid}. */
    static void writeTx(DataOutputStream o, String txid) throws IOException {
        o.writeInt(TX_NOTICE);
        bytes(o, txid.getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    /** Who hears what comes before an answer. */
    record Notices(java.util.function.Consumer<String> jobs, java.util.function.Consumer<String> txids,
            java.util.function.Consumer<byte[]> err) {
    }

    /**
     * Reads the answer; each job notice, transaction notice and piece of
     * standard error before it goes to {@code notices}, as they arrive.
     */
    static Answer readAnswer(DataInputStream in, Notices notices) throws IOException {
        int first = in.readInt();
        while (first == JOB_NOTICE || first == ERR_CHUNK || first == TX_NOTICE) {
            byte[] b = bytes(in);
            switch (first) {
                case JOB_NOTICE -> notices.jobs().accept(new String(b, StandardCharsets.UTF_8));
                case TX_NOTICE -> notices.txids().accept(new String(b, StandardCharsets.UTF_8));
                default -> notices.err().accept(b);
            }
            first = in.readInt();
        }
        return new Answer(first, bytes(in), bytes(in));
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
