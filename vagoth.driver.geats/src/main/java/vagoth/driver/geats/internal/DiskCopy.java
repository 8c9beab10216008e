package vagoth.driver.geats.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import vagoth.api.Printable;
import vagoth.api.driver.DriverException;
import vagoth.support.geats.DiskStream;
import vagoth.support.geats.GeatsOperation;

/**
 * One disk from a source agent to a destination agent, through this process:
 * {@code export} at the source and {@code import} at the destination, each
 * an agent started with {@code --stream}; the bytes between them (frames and
 * the source's trailer with its SHA-256) pass through unchanged, so the
 * destination checks what it received against what the source sent, end to
 * end, and keeps the disk only when they agree. Neither host needs to reach
 * or trust the other. A copy that makes no progress for the idle timeout is
 * ended: the source's agent is killed, so the destination's sees the stream
 * cut and keeps nothing; one that does not answer within a second idle
 * timeout is killed too (and its next import clears what it left).
 */
final class DiskCopy {
    private static final int BUFFER = 1 << 20;
    private final Duration idle;
    private final Executor io;

    DiskCopy(Duration idle, Executor io) {
        this.idle = idle;
        this.io = io;
    }

    /** The hypervisor an agent is for, its agent's command line, and its id for messages. */
    record End(String hypervisor, List<String> argv) {
    }

    long copy(End from, End to, String vm, LongConsumer progress) {
        AtomicLong relayed = new AtomicLong();
        AtomicLong lastMove = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        List<Process> started = new ArrayList<>();
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vagoth-disk-copy-watch");
            t.setDaemon(true);
            return t;
        });
        // stalled: the source is ended first, so the destination sees its stream cut and drops what came;
        // a destination that does not answer then either is ended too
        watch.scheduleWithFixedDelay(() -> {
            long still = System.nanoTime() - lastMove.get();
            if (still > idle.toNanos()) {
                stalled.set(true);
                synchronized (started) {
                    for (Process p : still > 2 * idle.toNanos() ? started : started.subList(0, 1)) {
                        if (p.isAlive()) {
                            AgentProcess.killGroup(p);
                        }
                    }
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        try {
            Process exporter = start(from, request(GeatsOperation.EXPORT, from.hypervisor(), vm, null), true,
                    started);
            CompletableFuture<byte[]> exportErr = AgentProcess.tail(exporter.getErrorStream(), io);
            InputStream disk = exporter.getInputStream();
            JsonObject head = answer(from, "export", DiskStream.readLine(disk), stalled, exportErr);
            lastMove.set(System.nanoTime());
            JsonObject data = head.has("data") && head.get("data").isJsonObject() ? head.getAsJsonObject("data")
                    : new JsonObject();
            Process importer = start(to, request(GeatsOperation.IMPORT, to.hypervisor(), vm, data), false,
                    started);
            CompletableFuture<byte[]> importErr = AgentProcess.tail(importer.getErrorStream(), io);
            try (OutputStream out = importer.getOutputStream()) {
                byte[] buf = new byte[BUFFER];
                for (int n; (n = disk.read(buf)) > 0;) {
                    out.write(buf, 0, n);
                    lastMove.set(System.nanoTime());
                    progress.accept(relayed.addAndGet(n));
                }
            } catch (IOException e) {
                // the destination stopped reading: its answer says why
            }
            String done = DiskStream.readLine(importer.getInputStream());
            JsonObject imported = answer(to, "import", done, stalled, importErr);
            exporter.waitFor(idle.toMillis(), TimeUnit.MILLISECONDS);
            JsonElement bytes = imported.has("data") && imported.get("data").isJsonObject()
                    ? imported.getAsJsonObject("data").get("bytes") : null;
            return bytes == null ? relayed.get() : bytes.getAsLong();
        } catch (IOException e) {
            throw new DriverException("copying the disk of " + vm + " from " + from.hypervisor() + " to "
                    + to.hypervisor() + " failed: " + e.getMessage(), vm, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DriverException("copying the disk of " + vm + " was interrupted", vm);
        } finally {
            watch.shutdownNow();
            synchronized (started) {
                for (Process p : started) {
                    if (p.isAlive()) { // ended already, unless the copy failed
                        AgentProcess.killGroup(p);
                    }
                }
            }
        }
    }

    /** Starts {@code end}'s agent in stream mode and sends {@code request}; an export's input ends there. */
    private Process start(End end, String request, boolean last, List<Process> started) throws IOException {
        List<String> argv = new ArrayList<>(end.argv());
        argv.add("--stream");
        Process p;
        try {
            p = AgentProcess.start(argv);
        } catch (AgentChannel.AgentFailure f) {
            throw new DriverException(end.hypervisor() + ": " + f.getMessage(), end.hypervisor());
        }
        synchronized (started) {
            started.add(p);
        }
        OutputStream in = p.getOutputStream();
        try {
            in.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            if (last) {
                in.close();
            }
        } catch (IOException e) {
            // it ended before it read its request (an agent without --stream, say): its answer, or the lack
            // of one, and what it printed say why, not the closed pipe
        }
        return p;
    }

    private static String request(GeatsOperation op, String hv, String vm, JsonObject exported) {
        JsonObject data = new JsonObject();
        data.addProperty(GeatsOperation.VM_NAME, vm);
        if (exported != null) {
            data.add(GeatsOperation.DEFINITION, exported.has(GeatsOperation.DEFINITION)
                    ? exported.get(GeatsOperation.DEFINITION) : new JsonObject());
            if (exported.has(GeatsOperation.SOURCE_PATH)) {
                data.add(GeatsOperation.SOURCE_PATH, exported.get(GeatsOperation.SOURCE_PATH));
            }
        }
        JsonObject r = new JsonObject();
        r.addProperty("action", op.wire());
        r.addProperty("hypervisor", hv);
        r.add("data", data);
        return r.toString();
    }

    /** An agent's answer line, or the failure it says (or that it gave none). */
    private JsonObject answer(End end, String what, String line, AtomicBoolean stalled, CompletableFuture<byte[]> err) {
        if (stalled.get()) {
            throw new DriverException(end.hypervisor() + ": the disk copy made no progress for " + idle.toSeconds()
                    + " s and was stopped (" + what + ")", end.hypervisor());
        }
        JsonObject o = null;
        try {
            JsonElement e = line == null ? null : JsonParser.parseString(line);
            o = e != null && e.isJsonObject() && e.getAsJsonObject().has("success") ? e.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            // reported below
        }
        if (o == null) {
            String said = stderr(err);
            throw new DriverException(end.hypervisor() + ": the agent gave no answer to '" + what + "'"
                    + (said.isEmpty() ? "" : ": " + said) + (said.contains("--stream") || said.contains("usage")
                            ? " (an agent that moves disks is started with --stream: vagoth-agent does)" : ""),
                    end.hypervisor());
        }
        if (!o.get("success").getAsBoolean()) {
            throw new DriverException(end.hypervisor() + ": " + what + " failed: "
                    + Printable.of(o.has("errorcode") ? o.get("errorcode").getAsString() : "error") + ": "
                    + Printable.of(o.has("message") ? o.get("message").getAsString() : "(no message)"), end.hypervisor());
        }
        return o;
    }

    private static String stderr(CompletableFuture<byte[]> err) {
        try {
            byte[] b = err.get(2, TimeUnit.SECONDS);
            String s = new String(b, StandardCharsets.UTF_8).trim();
            return Printable.of(s.length() > 500 ? s.substring(0, 500) + "..." : s);
        } catch (Exception e) {
            return "";
        }
    }
}
