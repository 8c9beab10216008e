package vagoth.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The thin client: how {@code bin/vagoth <command>} runs a command in the
 * daemon serving its home. No OSGi, just the request over the Unix socket and
 * the answer printed as the one-shot path would print it. It is on every
 * command's path, so it loads as few classes as it can: no lambdas, no
 * regular expressions (and the module is compiled without the string
 * concatenation bootstrap), and it has a class-data-sharing archive of its
 * own, made by running it with {@link #WARM_UP} (see {@code bin/vagoth}).
 */
public final class ThinClient {
    /** Runs the client's whole path once against a stand-in daemon: what its class-data-sharing archive holds. */
    static final String WARM_UP = "--warm-up";

    private ThinClient() {
    }

    /**
     * {@code bin/vagoth}'s first try: a command runs in the daemon, or the
     * process answers {@link Launcher#NO_DAEMON} and {@code bin/vagoth} runs
     * it otherwise. What is not a command (the shell, {@code daemon status},
     * {@code --version}) is the launcher's.
     */
    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals(WARM_UP)) {
            System.exit(warmUp());
        }
        if (args.length > 0 && args[0].equals(RemoteClient.FLAG)) {
            System.exit(RemoteClient.run(args, System.out, System.err));
        }
        VagothHome home = VagothHome.fromEnvironment();
        int status;
        if (args.length == 2 && args[0].equals("console") && !args[1].equals("--where")) { // gson: bin/vagoth adds it
            status = SerialConsole.attach(args, new SerialConsole.Runner() {
                @Override
                public int run(String[] command, PrintStream out, PrintStream err) {
                    return command(home, home.socket(), command, out, err);
                }
            }, System.out, System.err);
            System.exit(status < 0 ? Launcher.NO_DAEMON : status); // no daemon: the launcher attaches
        }
        if (args.length == 0 || Launcher.notACommand(args)) {
            status = Launcher.run(args, System.out, System.err);
        } else {
            status = command(home, home.socket(), args, System.out, System.err);
            if (status < 0) {
                status = Launcher.NO_DAEMON;
            }
        }
        ThinArchive.remakeIfStale(home);
        System.exit(status);
    }

    /**
     * Runs {@code args} in the daemon serving {@code home}; Ctrl-C stops the
     * waiting, never the command. @return its status, or -1 when no daemon answers
     */
    static int command(VagothHome home, Path socket, String[] args, PrintStream out, PrintStream err) {
        String refusal = Launcher.otherOwnerRefusal(home);
        if (refusal != null) {
            err.println(refusal);
            return OneShot.FAILED;
        }
        String[] request = args[0].equals("-h") || args[0].equals("--help") ? new String[] {"help"} : args;
        AtomicReference<String> seen = new AtomicReference<>();
        Interrupts.onCtrlC(err, new Supplier<String>() {
            @Override
            public String get() {
                String where = seen.get();
                return "vagoth: interrupted: the daemon goes on with '" + String.join(" ", request) + "'"
                        + (where == null ? "" : " (" + where + ")") + "; '" + lookAt(where) + "' shows how it ends";
            }
        }, new Runnable() {
            @Override
            public void run() {
                Runtime.getRuntime().halt(Interrupts.INTERRUPTED);
            }
        });
        return tryRun(socket, new DaemonProtocol.Request(request, Launcher.isTerminal()), out, err, seen);
    }

    /** The command that shows what became of work the client saw start ({@code job ID} or {@code txid T}). */
    static String lookAt(String seen) {
        return seen == null ? "vagoth jobs" : seen.startsWith("job ") ? "vagoth " + seen : "vagoth jobs --" + seen;
    }

    /**
     * @param seen set to {@code job <id>} or {@code txid <txid>} as soon as the daemon says what it runs
     * @return the command's exit status, or -1 when no daemon answers (run it
     *         here instead). Once the command has been handed to the daemon it
     *         is never run here: if the daemon goes away before answering, the
     *         outcome is unknown ({@link OneShot#OUTCOME_UNKNOWN}).
     */
    static int tryRun(Path socket, String[] args, boolean color, PrintStream out, PrintStream err,
            AtomicReference<String> seen) {
        return tryRun(socket, new DaemonProtocol.Request(args, color), out, err, seen);
    }

    /** The same for any request: a command, or a line or completion of an attached shell. */
    static int tryRun(Path socket, DaemonProtocol.Request request, PrintStream out, PrintStream err,
            AtomicReference<String> seen) {
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
                try {
                    DaemonProtocol.write(o, request);
                } catch (IOException refused) {
                    // a daemon that refuses this user answers before it reads and closes: its answer is still there
                }
                a = DaemonProtocol.readAnswer(new DataInputStream(new java.io.BufferedInputStream(
                        Channels.newInputStream(ch))), new DaemonProtocol.Notices(new Consumer<String>() {
                            @Override
                            public void accept(String id) {
                                seen.set("job " + id);
                            }
                        }, new Consumer<String>() {
                            @Override
                            public void accept(String txid) {
                                seen.compareAndSet(null, "txid " + txid); // a job, once there is one, says more
                            }
                        }, new Consumer<byte[]>() {
                            @Override
                            public void accept(byte[] chunk) {
                                err.write(chunk, 0, chunk.length); // action lines, as they happen
                                err.flush();
                            }
                        }));
            } catch (IOException e) {
                String where = seen.get();
                err.println("vagoth: the daemon stopped while it ran '" + request.line() + "'"
                        + (where == null ? "" : " (" + where + ")") + ": whether it was"
                        + " done is unknown, and it is not run again here. '" + lookAt(where)
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

    /**
     * The client's whole path (the owner check, Ctrl-C, a request, a
     * transaction and a job notice, an action line, the answer) against a
     * stand-in daemon in a temporary directory, so a class-data-sharing
     * archive made of this run holds every class a real command loads.
     * Prints nothing.
     */
    private static int warmUp() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("vagoth-warm-up");
            Path socket = dir.resolve("s");
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread daemon = new Thread(new Runnable() {
                @Override
                public void run() {
                    try (SocketChannel c = server.accept()) {
                        DataOutputStream o = new DataOutputStream(Channels.newOutputStream(c));
                        DaemonProtocol.readRequest(new DataInputStream(Channels.newInputStream(c)));
                        DaemonProtocol.writeTx(o, "00000000");
                        DaemonProtocol.writeJob(o, "0");
                        DaemonProtocol.writeErr(o, "vagoth: txid=00000000 source=warm-up action=none vm=\n"
                                .getBytes(StandardCharsets.UTF_8));
                        DaemonProtocol.write(o, new DaemonProtocol.Answer(OneShot.OK, new byte[0], new byte[0]));
                    } catch (IOException e) {
                        // the client says how it went
                    }
                }
            }, "vagoth-warm-up");
            daemon.start();
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            // a home that is there (its owner is looked at) and a key that is read
            int status = command(new VagothHome(dir), socket, new String[] {"list"}, quiet, quiet);
            ThinArchive.held(socket.toString(), ThinArchive.key(dir.toString(), socket.toString()));
            daemon.join();
            server.close();
            return status;
        } catch (IOException e) {
            System.err.println("vagoth: warm-up failed: " + e.getMessage());
            return OneShot.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OneShot.FAILED;
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir.resolve("s"));
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // a temporary directory left behind
                }
            }
        }
    }
}
