package vagoth.driver.geats.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import vagoth.api.Printable;
import vagoth.api.driver.DriverException;
import vagoth.api.driver.LiveMigration;
import vagoth.support.geats.GeatsOperation;

/**
 * {@code live_send} through the source's agent in stream mode: the request
 * line in; a {@code {"progress": ...}} line each time QEMU reports, then the
 * answer. An agent that says nothing for longer than the migration's own
 * timeout plus a minute is ended (its process group); the migration it
 * watched is then cancelled by the abort that follows any failure.
 */
final class LiveSend {
    private static final long LINE_LIMIT = 1 << 20;
    private final ExecutorService io;

    LiveSend(ExecutorService io) {
        this.io = io;
    }

    LiveMigration.Result send(String hv, List<String> agent, String vm, LiveMigration.Target target,
            LiveMigration.Limits limits, Consumer<LiveMigration.Progress> progress) {
        JsonObject data = new JsonObject();
        data.addProperty(GeatsOperation.VM_NAME, vm);
        data.addProperty(GeatsOperation.URI, target.uri());
        if (target.nbd() != null) {
            data.addProperty(GeatsOperation.NBD, target.nbd());
        }
        data.addProperty(GeatsOperation.DOWNTIME_MS, limits.downtimeMs());
        data.addProperty(GeatsOperation.BANDWIDTH, limits.bandwidthMiBs());
        data.addProperty(GeatsOperation.TIMEOUT_S, Math.max(1, limits.timeout().toSeconds()));
        JsonObject request = new JsonObject();
        request.addProperty("action", GeatsOperation.LIVE_SEND.wire());
        request.addProperty("hypervisor", hv);
        request.add("data", data);
        List<String> argv = new ArrayList<>(agent);
        argv.add("--stream");
        Process p;
        try {
            p = AgentProcess.start(argv);
        } catch (AgentChannel.AgentFailure f) {
            throw new DriverException(hv + ": " + f.getMessage(), vm);
        }
        CompletableFuture<byte[]> err = AgentProcess.tail(p.getErrorStream(), io);
        long waitNs = limits.timeout().toNanos() + TimeUnit.MINUTES.toNanos(1);
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> read(p.getInputStream(), progress), io);
        try (OutputStream in = p.getOutputStream()) {
            in.write((request + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the agent went away at once: its answer (or its silence) says why
        }
        String line;
        try {
            line = answer.get(waitNs, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new DriverException(hv + ": live_send did not answer within " + (waitNs / 1_000_000_000L)
                    + " s; it was ended", vm);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new DriverException(hv + ": live_send failed: " + e.getCause().getMessage(), vm);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DriverException(hv + ": live_send was interrupted", vm);
        } finally {
            if (p.isAlive()) {
                AgentProcess.killGroup(p);
            }
        }
        if (line == null) {
            throw new DriverException(hv + ": live_send ended without an answer: " + Printable.of(stderr(err)), vm);
        }
        JsonObject reply;
        try {
            reply = JsonParser.parseString(line).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new DriverException(hv + ": live_send's answer is not a protocol answer: " + Printable.of(line), vm);
        }
        if (!reply.has("success") || !reply.get("success").getAsBoolean()) {
            String code = reply.has("errorcode") ? reply.get("errorcode").getAsString() : "error";
            String message = reply.has("message") ? reply.get("message").getAsString() : "(no message)";
            throw new DriverException(hv + ": live_send failed: " + Printable.of(code) + ": " + Printable.of(message),
                    vm);
        }
        Map<String, String> facts = new LinkedHashMap<>();
        if (reply.has("data") && reply.get("data").isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : reply.getAsJsonObject("data").entrySet()) {
                facts.put(e.getKey(), e.getValue().isJsonPrimitive() ? e.getValue().getAsString()
                        : e.getValue().toString());
            }
        }
        return new LiveMigration.Result(facts);
    }

    /** Reads progress lines until the answer: the answer's line, or null when the agent ended first. */
    private static String read(InputStream out, Consumer<LiveMigration.Progress> progress) {
        try {
            while (true) {
                String line = AgentProcess.readLine(out, LINE_LIMIT);
                if (line == null) {
                    return null;
                }
                JsonObject o;
                try {
                    o = JsonParser.parseString(line).getAsJsonObject();
                } catch (JsonParseException | IllegalStateException e) {
                    return line; // not progress: the caller says what it is
                }
                if (!o.has("progress") || !o.get("progress").isJsonObject()) {
                    return line;
                }
                JsonObject p = o.getAsJsonObject("progress");
                progress.accept(new LiveMigration.Progress(p.has("phase") ? p.get("phase").getAsString() : "memory",
                        p.has("transferred") ? p.get("transferred").getAsLong() : 0,
                        p.has("remaining") ? p.get("remaining").getAsLong() : 0,
                        p.has("mbps") ? p.get("mbps").getAsDouble() : 0));
            }
        } catch (IOException | RuntimeException e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    private static String stderr(CompletableFuture<byte[]> err) {
        try {
            return new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).trim();
        } catch (Exception e) {
            return "(no error output)";
        }
    }
}
