package vagoth.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * A client of one QEMU's QMP monitor on a Unix socket: the greeting, then
 * {@code qmp_capabilities}, then one command at a time, each answered within
 * the timeout the client was opened with. Asynchronous events that arrive
 * between answers are kept ({@link #events()}). QEMU serves one client per
 * monitor at a time, so a client is closed as soon as its work is done.
 */
final class Qmp implements AutoCloseable {
    /** The longest line QEMU may send us: a bigger one is a broken monitor. */
    private static final int MAX_LINE = 8 << 20;
    private final SocketChannel channel;
    private final Selector selector;
    private final Duration timeout;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<JsonObject> events = new ArrayList<>();
    private final String what;

    private Qmp(SocketChannel channel, Selector selector, Duration timeout, String what) {
        this.channel = channel;
        this.selector = selector;
        this.timeout = timeout;
        this.what = what;
    }

    /**
     * Connects to the monitor at {@code socket} and negotiates capabilities.
     *
     * @param what who is behind the socket, for messages ("qemu of web1")
     * @throws AgentException {@code qmp_unreachable} when nobody answers, {@code qmp_timeout} when QEMU is busy with
     *                        another client past the timeout
     */
    static Qmp open(Path socket, Duration timeout, String what) throws AgentException {
        SocketChannel ch = null;
        Selector sel = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            Qmp qmp = new Qmp(ch, sel, timeout, what);
            JsonObject greeting = qmp.next();
            if (!greeting.has("QMP")) {
                throw new AgentException("qmp_protocol", what + " did not greet as a QMP monitor: " + greeting);
            }
            qmp.execute("qmp_capabilities", null);
            return qmp;
        } catch (IOException e) {
            closeQuietly(ch, sel);
            throw new AgentException("qmp_unreachable", "cannot reach the monitor of " + what + " at " + socket + ": "
                    + e.getMessage());
        } catch (AgentException | RuntimeException e) {
            closeQuietly(ch, sel);
            throw e;
        }
    }

    /**
     * Runs one command; its {@code return} value, or an {@link AgentException} ({@code qmp_error}) with QEMU's own
     * description of why it refused.
     */
    JsonElement execute(String command, JsonObject arguments) throws AgentException {
        JsonObject req = new JsonObject();
        req.addProperty("execute", command);
        if (arguments != null) {
            req.add("arguments", arguments);
        }
        try {
            ByteBuffer out = ByteBuffer.wrap((req + "\n").getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new AgentException("qmp_timeout", what + " did not take the command " + command
                                + " within " + timeout.toSeconds() + " s");
                    }
                    Thread.onSpinWait();
                }
            }
        } catch (IOException e) {
            throw new AgentException("qmp_unreachable", what + " closed its monitor before " + command + ": "
                    + e.getMessage());
        }
        while (true) {
            JsonObject answer = next();
            if (answer.has("event")) {
                events.add(answer);
            } else if (answer.has("error")) {
                JsonObject err = answer.getAsJsonObject("error");
                throw new AgentException("qmp_error", what + " refused " + command + ": "
                        + (err.has("desc") ? err.get("desc").getAsString() : err.toString()));
            } else if (answer.has("return")) {
                return answer.get("return");
            }
        }
    }

    /** A command whose answer is an object ({@code query-status}, {@code query-migrate}). */
    JsonObject query(String command) throws AgentException {
        JsonElement e = execute(command, null);
        if (!e.isJsonObject()) {
            throw new AgentException("qmp_protocol", what + " answered " + command + " with " + e);
        }
        return e.getAsJsonObject();
    }

    /** The events QEMU sent so far on this connection, oldest first. */
    List<JsonObject> events() {
        return List.copyOf(events);
    }

    /** The next JSON object QEMU sends, waiting at most the timeout. */
    private JsonObject next() throws AgentException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String l = takeLine();
                if (l != null) {
                    if (l.isBlank()) {
                        continue;
                    }
                    try {
                        JsonElement e = JsonParser.parseString(l);
                        if (e.isJsonObject()) {
                            return e.getAsJsonObject();
                        }
                    } catch (JsonParseException e) {
                        // fall through: not QMP
                    }
                    throw new AgentException("qmp_protocol", what + " sent something that is not QMP: "
                            + (l.length() > 200 ? l.substring(0, 200) + "..." : l));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AgentException("qmp_timeout", what + " did not answer within " + timeout.toSeconds()
                            + " s (is another client holding its monitor?)");
                }
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    throw new AgentException("qmp_unreachable", what + " closed its monitor (did QEMU exit?)");
                }
                line.write(buffer.array(), 0, n);
                if (line.size() > MAX_LINE) {
                    throw new AgentException("qmp_protocol", what + " sent a line of over " + MAX_LINE + " bytes");
                }
            }
        } catch (IOException e) {
            throw new AgentException("qmp_unreachable", what + " closed its monitor: " + e.getMessage());
        }
    }

    /** A whole line taken from what was read, or null when none is complete yet. */
    private String takeLine() {
        byte[] b = line.toByteArray();
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                String l = new String(b, 0, i, StandardCharsets.UTF_8);
                line.reset();
                line.write(b, i + 1, b.length - i - 1);
                return l;
            }
        }
        return null;
    }

    @Override
    public void close() {
        closeQuietly(channel, selector);
    }

    private static void closeQuietly(SocketChannel ch, Selector sel) {
        try {
            if (sel != null) {
                sel.close();
            }
        } catch (IOException e) {
            // closing: nothing to tell
        }
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException e) {
            // closing: nothing to tell
        }
    }
}
