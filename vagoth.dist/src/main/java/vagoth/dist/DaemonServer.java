package vagoth.dist;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The daemon's door: a Unix socket in {@code var/run/} (a directory only its
 * owner may enter; the socket itself is owner-only too). Each connection is
 * one command, run in the container exactly as the one-shot path runs it,
 * its output and action lines captured for the client. Connections from any
 * user but the daemon's own (or root) are refused.
 */
final class DaemonServer implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vagoth-daemon-client");
        t.setDaemon(true);
        return t;
    });
    private final Container container;
    private final ConsoleLog log;
    private final String owner = System.getProperty("user.name");
    /** Commands being served now, and when the last one ended: what idle exit goes by. */
    private final java.util.concurrent.atomic.AtomicInteger serving = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long lastServed = System.nanoTime();

    DaemonServer(Path socket, Container container, ConsoleLog log) throws IOException {
        this.socket = socket;
        this.container = container;
        this.log = log;
        Path dir = socket.getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(socket);
        // bound under a temporary name and renamed once owner-only, so the socket never appears with other rights
        Path bound = dir.resolve(socket.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(bound);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(bound));
        Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
        Files.move(bound, socket, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread acceptor = new Thread(this::accept, "vagoth-daemon");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Whether a daemon answers on {@code socket}. */
    static boolean answering(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                workers.execute(() -> serve(ch));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SocketChannel ch) {
        serving.incrementAndGet();
        try (ch) {
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String user = peer.user().getName();
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(ch)));
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Channels.newOutputStream(ch)));
            if (!user.equals(owner) && !user.equals("root")) { // before anything of its request is read
                DaemonProtocol.write(out, new DaemonProtocol.Answer(OneShot.FAILED, new byte[0],
                        ("vagoth: this daemon belongs to " + owner + "; " + user + " may not use it\n")
                                .getBytes(StandardCharsets.UTF_8)));
                return;
            }
            DaemonProtocol.Request req;
            try {
                req = DaemonProtocol.readRequest(in);
            } catch (IOException e) {
                return; // a peer that is not our client, or one that went away
            }
            DaemonProtocol.Answer answer = run(req, user, id -> {
                try {
                    synchronized (out) {
                        DaemonProtocol.writeJob(out, id);
                    }
                } catch (IOException e) {
                    // the client went away: the command goes on
                }
            }, txid -> {
                try {
                    synchronized (out) {
                        DaemonProtocol.writeTx(out, txid);
                    }
                } catch (IOException e) {
                    // the client went away: the command goes on
                }
            }, new ErrToClient(out));
            synchronized (out) {
                DaemonProtocol.write(out, answer);
            }
        } catch (IOException e) {
            // the client went away: nothing to tell it
        } finally {
            lastServed = System.nanoTime();
            serving.decrementAndGet();
        }
    }

    /**
     * Whether the daemon has been idle for at least {@code nanos}: no command
     * served in that time, none being served, and no job queued or running.
     */
    boolean idleFor(long nanos) {
        if (serving.get() > 0 || System.nanoTime() - lastServed < nanos) {
            return false;
        }
        for (String state : new String[] {"running", "queued"}) {
            ByteArrayOutputStream jobs = new ByteArrayOutputStream();
            PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            int status = new OneShot(container, new PrintStream(jobs, true, StandardCharsets.UTF_8), quiet).run("jobs",
                    new String[] {"--state", state, "--json"}, false, owner, null, null);
            if (status != OneShot.OK || !jobs.toString(StandardCharsets.UTF_8).strip().equals("[]")) {
                return false;
            }
        }
        return true;
    }

    /** A command's standard error, sent to its client line by line as it is written (action lines as they happen). */
    private static final class ErrToClient extends java.io.OutputStream {
        private final DataOutputStream client;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        ErrToClient(DataOutputStream client) {
            this.client = client;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            line.write(b, off, len);
        }

        @Override
        public synchronized void flush() {
            if (line.size() == 0) {
                return;
            }
            try {
                synchronized (client) {
                    DaemonProtocol.writeErr(client, line.toByteArray());
                }
            } catch (IOException e) {
                // the client went away: the command goes on
            }
            line.reset();
        }
    }

    private DaemonProtocol.Answer run(DaemonProtocol.Request req, String user, java.util.function.Consumer<String> jobs,
            java.util.function.Consumer<String> txids, java.io.OutputStream errToClient) {
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errToClient, true, StandardCharsets.UTF_8);
        String[] args = req.args();
        if (req.kind() != DaemonProtocol.Kind.COMMAND && args.length == 0) {
            err.println("vagoth: a shell request without its session");
            return new DaemonProtocol.Answer(OneShot.USAGE, new byte[0], new byte[0]);
        }
        int status = OneShot.OK;
        log.redirect(err);
        try {
            switch (req.kind()) {
                case COMMAND -> {
                    String command = args.length == 0 ? "help" : args[0];
                    status = new OneShot(container, out, err).run(command, Arrays.copyOfRange(args,
                            Math.min(1, args.length), args.length), req.color(), user, jobs, txids);
                }
                case SHELL_LINE -> status = shell(args[0], user).execute(args.length > 1 ? args[1] : "", out, err,
                        req.color(), jobs, txids);
                case COMPLETE -> shell(args[0], user).complete(List.of(args).subList(1, args.length))
                        .forEach(out::println);
                case SHELL_CLOSE -> {
                    ShellSession ended;
                    synchronized (shells) {
                        ended = shells.remove(args[0]);
                    }
                    if (ended != null) {
                        ended.close();
                    }
                }
            }
        } finally {
            log.release();
        }
        err.flush();
        return new DaemonProtocol.Answer(status, outBytes.toByteArray(), new byte[0]);
    }

    /** At most this many attached shells keep a session; the one used longest ago gives its up. */
    private static final int MAX_SHELLS = 64;
    /** The attached shells' sessions by the id each shell chose, the one used longest ago first. */
    private final java.util.LinkedHashMap<String, ShellSession> shells = new java.util.LinkedHashMap<>(16, 0.75f, true);

    /**
     * The session of the shell {@code id}, made on its first line (or again
     * after this daemon restarted: the shell keeps its id).
     */
    private ShellSession shell(String id, String user) {
        ShellSession evicted = null;
        ShellSession s;
        synchronized (shells) {
            s = shells.computeIfAbsent(id, k -> new ShellSession(container, user));
            if (shells.size() > MAX_SHELLS) {
                String eldest = shells.keySet().iterator().next();
                evicted = shells.remove(eldest);
            }
        }
        if (evicted != null) {
            evicted.close();
        }
        return s;
    }

    /** How long a stopping daemon lets the commands it is running finish, so their clients learn how they ended. */
    private static final long FINISH_S = 60;

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        // not shutdownNow: an interrupted command would leave its client with no true answer
        workers.shutdown();
        try {
            if (!workers.awaitTermination(FINISH_S, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // a stale socket is recognised by the next client
        }
    }
}
