package vagoth.driver.geats.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

import vagoth.api.Printable;
import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.driver.DriverException;
import vagoth.api.driver.LiveMigration;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.driver.VagothDriver;
import vagoth.api.virt.VmInfo;
import vagoth.api.telemetry.Telemetry;
import vagoth.support.cmd.CommandLine;
import vagoth.support.geats.GeatsOperation;

/**
 * The Geats protocol (DESIGN section 5). A hypervisor's definition says how to
 * reach its agent: {@code agent=<command line>}, split into argv and run
 * without a shell; with {@code agent_session=true} one agent process per
 * hypervisor answers request after request ({@code --session}). VMs are named
 * to the agent by their node id. Every failure becomes a {@link DriverException}
 * naming the hypervisor, the action and what the agent said.
 */
@Component(service = Driver.class, configurationPid = GeatsDriver.PID)
@VagothDriver("geats")
@Designate(ocd = GeatsDriverConfig.class)
public final class GeatsDriver implements Driver {
    static final String PID = "vagoth.driver.geats";
    static final String AGENT = "agent";
    static final String SESSION = "agent_session";
    private static final Gson GSON = new Gson();
    static final long DEFAULT_MAX_ANSWER = 16L << 20;

    private final Duration shortTimeout;
    private final Duration longTimeout;
    private final long maxAnswer;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService io = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vagoth-geats-io");
        t.setDaemon(true);
        return t;
    });

    private volatile Telemetry telemetry;

    private record Channel(String agentLine, boolean session, AgentChannel channel) {
    }

    @Activate
    public GeatsDriver(GeatsDriverConfig config) {
        this(Duration.ofSeconds(config.short_timeout_s()), Duration.ofSeconds(config.long_timeout_s()),
                config.max_answer_bytes());
    }

    public GeatsDriver(Duration shortTimeout, Duration longTimeout) {
        this(shortTimeout, longTimeout, DEFAULT_MAX_ANSWER);
    }

    /** @param maxAnswer the largest answer an agent may give, in bytes; a larger one is an error */
    public GeatsDriver(Duration shortTimeout, Duration longTimeout, long maxAnswer) {
        this.shortTimeout = shortTimeout;
        this.longTimeout = longTimeout;
        this.maxAnswer = maxAnswer;
    }

    @Override
    public void provision(Node hv, Node vm) {
        call(hv, vm, GeatsOperation.PROVISION, withDefinition(vm));
    }

    @Override
    public void define(Node hv, Node vm) {
        call(hv, vm, GeatsOperation.DEFINE, withDefinition(vm));
    }

    @Override
    public void undefine(Node hv, Node vm) {
        call(hv, vm, GeatsOperation.UNDEFINE, named(vm));
    }

    @Override
    public void deprovision(Node hv, Node vm) {
        call(hv, vm, GeatsOperation.DEPROVISION, named(vm));
    }

    @Override
    public void start(Node hv, Node vm) {
        call(hv, vm, GeatsOperation.START, named(vm));
    }

    @Override
    public void stop(Node hv, Node vm) {
        call(hv, vm, GeatsOperation.STOP, named(vm));
    }

    @Override
    public void shutdown(Node hv, Node vm) {
        call(hv, vm, GeatsOperation.SHUTDOWN, named(vm));
    }

    @Override
    public void reboot(Node hv, Node vm) {
        call(hv, vm, GeatsOperation.REBOOT, named(vm));
    }

    @Override
    public VmInfo info(Node hv, Node vm) {
        JsonElement data = call(hv, vm, GeatsOperation.INFO, named(vm));
        try {
            return vmInfo(data.getAsJsonObject());
        } catch (RuntimeException e) {
            throw new DriverException(hv.id() + ": the agent's answer to 'info' is not a VM description: "
                    + Printable.of(abbreviate(String.valueOf(data))), vm.id());
        }
    }

    @Override
    public HypervisorStatus status(Node hv) {
        JsonElement data = call(hv, null, GeatsOperation.STATUS, new JsonObject());
        try {
            JsonObject o = data.getAsJsonObject();
            Map<String, VmInfo> vms = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("vms").entrySet()) {
                vms.put(e.getKey(), vmInfo(e.getValue().getAsJsonObject()));
            }
            Map<String, String> facts = new LinkedHashMap<>();
            if (o.has("status") && o.get("status").isJsonObject()) {
                for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("status").entrySet()) {
                    facts.put(e.getKey(), flat(e.getValue()));
                }
            }
            return new HypervisorStatus(vms, facts);
        } catch (RuntimeException e) {
            throw new DriverException(hv.id() + ": the agent's answer to 'status' is not a status report: "
                    + Printable.of(abbreviate(String.valueOf(data))), hv.id());
        }
    }

    @Override
    public void migrate(Node hv, Node vm, Node destination) {
        JsonObject data = named(vm);
        data.addProperty(GeatsOperation.VM_DESTINATION, destination.id());
        call(hv, vm, GeatsOperation.MIGRATE, data);
    }

    private static JsonObject named(Node vm) {
        JsonObject data = new JsonObject();
        data.addProperty(GeatsOperation.VM_NAME, vm.id());
        return data;
    }

    private static JsonObject withDefinition(Node vm) {
        JsonObject data = named(vm);
        data.add(GeatsOperation.DEFINITION, GSON.toJsonTree(vm.definition()));
        return data;
    }

    private static VmInfo vmInfo(JsonObject o) {
        Map<String, String> def = new LinkedHashMap<>();
        if (o.has("definition") && o.get("definition").isJsonObject()) {
            o.getAsJsonObject("definition").entrySet().forEach(e -> def.put(e.getKey(), flat(e.getValue())));
        }
        JsonElement st = o.get("state");
        String state;
        String sub;
        if (st.isJsonArray()) {
            state = st.getAsJsonArray().get(0).getAsString();
            sub = st.getAsJsonArray().size() > 1 ? st.getAsJsonArray().get(1).getAsString() : state;
        } else {
            state = st.getAsString();
            sub = state;
        }
        return new VmInfo(def, state, sub);
    }

    private static String flat(JsonElement e) {
        if (e.isJsonArray()) {
            List<String> parts = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> parts.add(x.getAsString()));
            return String.join(",", parts);
        }
        return e.isJsonNull() ? "" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    /**
     * Through both agents in stream mode ({@link DiskCopy}): each hypervisor's
     * agent command line with {@code --stream}, never in a session.
     */
    @Override
    public boolean movesDisks() {
        return true;
    }

    @Override
    public long copyDisk(Node hv, Node vm, Node destination, java.util.function.LongConsumer progress) {
        DiskCopy.End from = new DiskCopy.End(hv.id(), argv(hv, vm.id()));
        DiskCopy.End to = new DiskCopy.End(destination.id(), argv(destination, vm.id()));
        Telemetry t = telemetry;
        long start = System.nanoTime();
        boolean failed = true;
        try {
            long bytes = new DiskCopy(longTimeout, io).copy(from, to, vm.id(), progress);
            failed = false;
            return bytes;
        } finally {
            if (t != null) {
                t.agentCall(hv.id(), GeatsOperation.EXPORT.wire(), System.nanoTime() - start, failed);
                t.agentCall(destination.id(), GeatsOperation.IMPORT.wire(), System.nanoTime() - start, failed);
            }
        }
    }

    /** An agent may serve the qemu back end, which migrates live; one that cannot says so when asked. */
    @Override
    public boolean migratesLive() {
        return true;
    }

    @Override
    public LiveMigration.Target livePrepare(Node hv, Node vm, Map<String, String> definition, String address,
            boolean copyDisk) {
        JsonObject data = named(vm);
        data.add(GeatsOperation.DEFINITION, GSON.toJsonTree(definition));
        data.addProperty(GeatsOperation.ADDRESS, address);
        data.addProperty(GeatsOperation.COPY_DISK, copyDisk);
        JsonElement answer = call(hv, vm, GeatsOperation.LIVE_PREPARE, data);
        try {
            JsonObject o = answer.getAsJsonObject();
            String nbd = o.has(GeatsOperation.NBD) && !o.get(GeatsOperation.NBD).isJsonNull()
                    ? o.get(GeatsOperation.NBD).getAsString() : null;
            return new LiveMigration.Target(o.get(GeatsOperation.URI).getAsString(), nbd);
        } catch (RuntimeException e) {
            throw new DriverException(hv.id() + ": the agent's answer to 'live_prepare' names no address: "
                    + Printable.of(abbreviate(String.valueOf(answer))), vm.id());
        }
    }

    @Override
    public LiveMigration.Result liveSend(Node hv, Node vm, LiveMigration.Target target, LiveMigration.Limits limits,
            java.util.function.Consumer<LiveMigration.Progress> progress) {
        Telemetry t = telemetry;
        long start = System.nanoTime();
        boolean failed = true;
        try {
            LiveMigration.Result r = new LiveSend(io).send(hv.id(), argv(hv, vm.id()), vm.id(), target, limits,
                    progress);
            failed = false;
            return r;
        } finally {
            if (t != null) {
                t.agentCall(hv.id(), GeatsOperation.LIVE_SEND.wire(), System.nanoTime() - start, failed);
            }
        }
    }

    @Override
    public void liveFinish(Node hv, Node vm) {
        call(hv, vm, GeatsOperation.LIVE_FINISH, named(vm));
    }

    @Override
    public void liveCancel(Node hv, Node vm) {
        JsonObject data = named(vm);
        data.addProperty(GeatsOperation.SIDE, "source");
        data.addProperty(GeatsOperation.CANCEL_ONLY, true);
        call(hv, vm, GeatsOperation.LIVE_ABORT, data);
    }

    @Override
    public void liveAbort(Node hv, Node vm, boolean source) {
        JsonObject data = named(vm);
        data.addProperty(GeatsOperation.SIDE, source ? "source" : "destination");
        call(hv, vm, GeatsOperation.LIVE_ABORT, data);
    }

    @Override
    public List<String> serialLog(Node hv, Node vm, int lines) {
        JsonObject data = named(vm);
        data.addProperty(GeatsOperation.LINES, lines);
        JsonElement answer = call(hv, vm, GeatsOperation.SERIAL_LOG, data);
        try {
            List<String> out = new ArrayList<>();
            answer.getAsJsonObject().getAsJsonArray("lines").forEach(l -> out.add(Printable.of(l.getAsString())));
            return out;
        } catch (RuntimeException e) {
            throw new DriverException(hv.id() + ": the agent's answer to 'serial_log' is not a list of lines: "
                    + Printable.of(abbreviate(String.valueOf(answer))), vm.id());
        }
    }

    /** One request to the hypervisor's agent, timed for the telemetry if one is bound. */
    private JsonElement call(Node hv, Node vm, GeatsOperation operation, JsonObject data) {
        Telemetry t = telemetry;
        if (t == null) {
            return callAgent(hv, vm, operation, data);
        }
        long start = System.nanoTime();
        boolean failed = true;
        try {
            JsonElement answer = callAgent(hv, vm, operation, data);
            failed = false;
            return answer;
        } finally {
            t.agentCall(hv.id(), operation.wire(), System.nanoTime() - start, failed);
        }
    }

    /** One request to the hypervisor's agent; an operation on disks or definitions gets the long timeout. */
    private JsonElement callAgent(Node hv, Node vm, GeatsOperation operation, JsonObject data) {
        String action = operation.wire();
        Duration timeout = operation.slow() ? longTimeout : shortTimeout;
        String about = vm == null ? hv.id() : vm.id();
        Channel ch = channel(hv, about);
        JsonObject request = new JsonObject();
        request.addProperty("action", action);
        // our extension: which hypervisor is meant, for agents that serve several (ignored by others)
        request.addProperty("hypervisor", hv.id());
        request.add("data", data);
        String answer;
        try {
            answer = ch.channel().call(request.toString(), timeout);
        } catch (AgentChannel.AgentFailure f) {
            throw new DriverException(hv.id() + ": agent failed on '" + action + "': " + f.getMessage(), about);
        }
        JsonObject reply;
        try {
            JsonElement parsed = JsonParser.parseString(answer);
            if (!parsed.isJsonObject() || !parsed.getAsJsonObject().has("success")) {
                throw new JsonParseException("not a protocol answer");
            }
            reply = parsed.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            if (ch.channel() instanceof SessionChannel s) {
                s.reset();
            }
            throw new DriverException(hv.id() + ": the agent's answer to '" + action + "' is not a protocol answer: "
                    + (answer.isEmpty() ? "(nothing)" : Printable.of(abbreviate(answer))), about);
        }
        if (!reply.get("success").getAsBoolean()) {
            String code = reply.has("errorcode") ? flat(reply.get("errorcode")) : "error";
            String message = reply.has("message") ? flat(reply.get("message")) : "(no message)";
            throw new DriverException(hv.id() + ": " + action + " failed: " + Printable.of(code) + ": " + Printable.of(message),
                    about);
        }
        return reply.has("data") ? reply.get("data") : com.google.gson.JsonNull.INSTANCE;
    }

    /**
     * The channel for the hypervisor's agent command line. Hypervisors whose
     * agent command lines are identical share one channel (and, in session
     * mode, one agent process, which then answers for all of them).
     */
    private Channel channel(Node hv, String about) {
        String line = hv.definition().get(AGENT);
        boolean session = Boolean.parseBoolean(hv.definition().getOrDefault(SESSION, "false"));
        String key = session + " " + line;
        Channel current = channels.get(key);
        if (current != null) {
            return current;
        }
        List<String> argv = argv(hv, about);
        AgentChannel c;
        if (session) {
            argv.add("--session");
            c = new SessionChannel(argv, io, maxAnswer);
        } else {
            c = new ProcessPerCall(argv, io, maxAnswer);
        }
        Channel created = new Channel(line, session, c);
        Channel raced = channels.putIfAbsent(key, created);
        if (raced != null) {
            c.close();
            return raced;
        }
        return created;
    }

    /** The hypervisor's agent command line, split into its argv (no shell). */
    private static List<String> argv(Node hv, String about) {
        String line = hv.definition().get(AGENT);
        if (line == null || line.isBlank()) {
            throw new DriverException(hv.id() + ": its definition has no 'agent' (the command that reaches its Geats agent),"
                    + " e.g. agent=vagoth-agent --backend sim --state /var/lib/vagoth-sim", about);
        }
        List<String> argv;
        try {
            argv = new ArrayList<>(CommandLine.split(line));
        } catch (IllegalArgumentException e) {
            throw new DriverException(hv.id() + ": " + e.getMessage(), about);
        }
        if (argv.isEmpty()) {
            throw new DriverException(hv.id() + ": its agent command line is empty", about);
        }
        return argv;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindTelemetry(Telemetry t) {
        telemetry = t;
    }

    void unbindTelemetry(Telemetry t) {
        if (telemetry == t) {
            telemetry = null;
        }
    }

    @Deactivate
    public void close() {
        channels.values().forEach(c -> c.channel().close());
        channels.clear();
        io.shutdownNow();
    }
}
