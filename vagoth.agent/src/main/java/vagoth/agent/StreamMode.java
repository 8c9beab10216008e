package vagoth.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import vagoth.support.geats.DiskStream;
import vagoth.support.geats.GeatsOperation;

/**
 * {@code vagoth-agent --stream}: one disk out or in ({@link DiskStream}).
 * {@code export}: the request line in; the answer line (the definition and
 * where the disk lies) out, then the disk as frames and the trailer with its
 * SHA-256. {@code import}: the request line, the frames and the trailer in;
 * the disk is unpacked aside and put in place only when what came matches
 * the trailer's count and checksum; then the answer line. Exit status 0 when
 * the disk went or came whole.
 */
final class StreamMode {
    private static final int STDERR_KEPT = 4096;
    private final Agent agent;

    StreamMode(Agent agent) {
        this.agent = agent;
    }

    int serve(InputStream in, OutputStream out) {
        try {
            String line = DiskStream.readLine(in);
            if (line == null) {
                return answer(out, Agent.failure("bad_request", "no request"), 1);
            }
            Agent.Request r = agent.parse(line);
            if (!r.op().streamed()) {
                throw new AgentException("not_streamed", "an agent started with --stream serves export and import"
                        + " only, not " + r.op().wire());
            }
            String vm = Agent.name(r.data(), GeatsOperation.VM_NAME);
            return switch (r.op()) {
                case EXPORT -> export(r.backend(), vm, out);
                case LIVE_SEND -> liveSend(r.backend(), vm, r.data(), out);
                case CONSOLE -> console(r.backend(), vm, in, out);
                default -> importing(r.backend(), vm, r.data(), in, out);
            };
        } catch (AgentException e) {
            return answer(out, Agent.failure(e.code(), e.getMessage()), 1);
        } catch (IOException e) {
            return answer(out, Agent.failure("io_error", e.getMessage()), 1);
        }
    }

    private int export(Backend backend, String vm, OutputStream out) throws AgentException, IOException {
        Backend.Export ex = backend.export(vm);
        Process tar = start(ex.tar());
        tar.getOutputStream().close();
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("definition", ex.definition());
        head.put(GeatsOperation.SOURCE_PATH, ex.path());
        line(out, Agent.success(head));
        ByteArrayOutputStream err = drain(tar.getErrorStream());
        MessageDigest md = DiskStream.sha256();
        long n = DiskStream.writeFrames(tar.getInputStream(), out, md, b -> { });
        int status = waitFor(tar);
        if (status != 0) {
            JsonObject failed = new JsonObject();
            failed.addProperty("error", "tar failed (status " + status + "): " + text(err));
            return answer(out, failed.toString(), 1);
        }
        return answer(out, DiskStream.trailer(n, DiskStream.hex(md)), 0);
    }

    private int importing(Backend backend, String vm, JsonObject data, InputStream in, OutputStream out)
            throws AgentException {
        String from = Agent.string(data, GeatsOperation.SOURCE_PATH);
        Backend.Import im = backend.importing(vm, Agent.definition(data), from == null ? "" : from);
        boolean kept = false;
        try {
            Process tar = start(im.tar());
            ByteArrayOutputStream err = drain(tar.getErrorStream());
            drain(tar.getInputStream());
            MessageDigest md = DiskStream.sha256();
            long n;
            String trailer;
            try (OutputStream toTar = tar.getOutputStream()) {
                n = DiskStream.readFrames(in, toTar, md, b -> { });
                trailer = DiskStream.readLine(in);
            } catch (IOException e) {
                tar.destroyForcibly();
                waitFor(tar);
                String why = tar.exitValue() != 0 && err.size() > 0 ? "tar failed: " + text(err) : e.getMessage();
                throw new AgentException("stream_cut", "the disk of " + vm + " did not arrive whole (" + why
                        + "); nothing was kept");
            }
            int status = waitFor(tar);
            String got = DiskStream.hex(md);
            check(vm, trailer, n, got);
            if (status != 0) {
                throw new AgentException("tar_failed", "unpacking the disk of " + vm + " failed (status " + status
                        + "): " + text(err) + "; nothing was kept");
            }
            im.commit();
            kept = true;
            Map<String, Object> done = new LinkedHashMap<>();
            done.put("bytes", n);
            done.put("sha256", got);
            return answer(out, Agent.success(done), 0);
        } finally {
            if (!kept) {
                im.abort();
            }
        }
    }

    /**
     * A live migration's source half: a line {@code {"progress": {...}}} each time QEMU reports (every 100 ms while
     * it runs), then the answer. A reader that goes away does not stop the migration: its answer is still the
     * agent's exit status.
     */
    private int liveSend(Backend backend, String vm, JsonObject data, OutputStream out) throws AgentException {
        String uri = Agent.string(data, GeatsOperation.URI);
        if (uri == null) {
            throw new AgentException("missing_argument", "live_send needs data." + GeatsOperation.URI);
        }
        LiveMigration.Limits limits = new LiveMigration.Limits(
                Agent.number(data, GeatsOperation.DOWNTIME_MS, 300, 1, 60_000),
                Agent.number(data, GeatsOperation.BANDWIDTH, 1024, 1, 1 << 20),
                java.time.Duration.ofSeconds(Agent.number(data, GeatsOperation.TIMEOUT_S, 600, 1, 86_400)));
        boolean[] readerGone = {false};
        Map<String, Object> done = backend.liveSend(vm, uri, Agent.string(data, GeatsOperation.NBD), limits, p -> {
            if (!readerGone[0]) {
                try {
                    line(out, GSON.toJson(Map.of("progress", p)));
                    out.flush();
                } catch (IOException e) {
                    readerGone[0] = true;
                }
            }
        });
        return answer(out, Agent.success(done), 0);
    }

    private static final com.google.gson.Gson GSON = new com.google.gson.Gson();

    /**
     * The guest's serial console, raw both ways: what the guest writes goes out as it comes; what comes in goes to
     * the guest, until input ends or brings Ctrl-] (not passed on). QEMU serves one console client at a time: a
     * second one waits until the first leaves.
     */
    private int console(Backend backend, String vm, InputStream in, OutputStream out) throws AgentException {
        java.nio.file.Path socket = backend.console(vm);
        java.nio.channels.SocketChannel ch;
        try {
            ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            ch.connect(java.net.UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new AgentException("console_unreachable", "cannot reach the console of " + vm + " at " + socket + ": "
                    + e.getMessage());
        }
        try (ch) {
            line(out, Agent.success(Map.of("console", vm)));
            out.flush();
            Thread fromGuest = new Thread(() -> {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
                try {
                    while (ch.read(buf) >= 0) {
                        out.write(buf.array(), 0, buf.position());
                        out.flush();
                        buf.clear();
                    }
                } catch (IOException e) {
                    // the guest's side or ours went away: the console ends
                }
            }, "vagoth-console-out");
            fromGuest.setDaemon(true);
            fromGuest.start();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0;) {
                int upTo = n;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == GeatsOperation.CONSOLE_ESCAPE) {
                        upTo = i;
                        break;
                    }
                }
                ch.write(java.nio.ByteBuffer.wrap(buf, 0, upTo));
                if (upTo < n) {
                    break;
                }
            }
            return 0;
        } catch (IOException e) {
            return 0; // the console ended with one side gone: nothing more to say
        }
    }

    /** The trailer says the sender sent what came: as many bytes, with the same SHA-256. */
    private static void check(String vm, String trailer, long n, String got) throws AgentException {
        if (trailer == null) {
            throw new AgentException("stream_cut", "the disk of " + vm + " came without its trailer (the sender"
                    + " stopped); nothing was kept");
        }
        JsonObject t;
        try {
            t = JsonParser.parseString(trailer).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new AgentException("bad_trailer", "the disk stream's trailer is not JSON: " + trailer);
        }
        if (t.has("error")) {
            throw new AgentException("source_failed", "the source of " + vm + "'s disk failed while sending it: "
                    + t.get("error").getAsString() + "; nothing was kept");
        }
        String sent = t.has("sha256") ? t.get("sha256").getAsString() : "";
        long bytes = t.has("bytes") ? t.get("bytes").getAsLong() : -1;
        if (bytes != n || !sent.equals(got)) {
            throw new AgentException("checksum_mismatch", "the disk of " + vm + " arrived damaged: " + n
                    + " bytes with SHA-256 " + got + ", but the source sent " + bytes + " with " + sent
                    + "; nothing was kept");
        }
    }

    private static Process start(List<String> cmd) throws AgentException {
        try {
            return new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new AgentException("tar_missing", "cannot run " + cmd.get(0) + ": " + e.getMessage());
        }
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return -1;
        }
    }

    /** Reads {@code in} to its end on a thread of its own, keeping the first bytes (a tool's complaint). */
    private static ByteArrayOutputStream drain(InputStream in) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0;) {
                    synchronized (kept) {
                        kept.write(buf, 0, Math.max(0, Math.min(n, STDERR_KEPT - kept.size())));
                    }
                }
            } catch (IOException e) {
                // the tool went away: what it said is kept
            }
        }, "vagoth-agent-drain");
        t.setDaemon(true);
        t.start();
        return kept;
    }

    private static String text(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.toString(StandardCharsets.UTF_8).trim();
        }
    }

    private static void line(OutputStream out, String s) throws IOException {
        out.write((s + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static int answer(OutputStream out, String s, int status) {
        try {
            line(out, s);
            out.flush();
        } catch (IOException e) {
            return 1; // the reader went away
        }
        return status;
    }
}
