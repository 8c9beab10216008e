package vagoth.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import vagoth.support.geats.GeatsOperation;

/**
 * {@code vagoth-agent}: the host side of the Geats protocol. Reads one JSON
 * request from standard input and answers one JSON object on standard output
 * (or, with {@code --session}, one request and one answer per line until
 * input ends). Every failure, a malformed request included, is an answer with
 * {@code success: false}, an error code and a message; nothing else is
 * written to standard output. With {@code --stream} it exports or imports one
 * disk ({@link StreamMode}).
 *
 * <pre>
 * vagoth-agent --backend sim --state DIR [--mem-total MB] [--cpus N] [--session | --stream]
 * vagoth-agent --backend lxc [--lxcpath DIR] [--session | --stream]
 * vagoth-agent --backend qemu --state DIR [--disks DIR] [--qemu BINARY] [--shutdown-timeout S] [--session | --stream]
 * </pre>
 */
public final class Agent {
    /** VM names: they reach file names and the lxc tools. */
    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
    /** The one hypervisor this agent serves, or null in farm mode. */
    private final Backend single;
    /** Farm mode: the back end of the hypervisor a request names. */
    private final java.util.function.Function<String, Backend> farm;

    Agent(Backend backend) {
        this.single = backend;
        this.farm = null;
    }

    Agent(java.util.function.Function<String, Backend> farm) {
        this.single = null;
        this.farm = farm;
    }

    private Backend backendFor(String hv) throws AgentException {
        if (single != null) {
            return single;
        }
        if (hv == null) {
            throw new AgentException("missing_argument", "this agent simulates several hypervisors: the request must name one");
        }
        try {
            return farm.apply(hv);
        } catch (IllegalStateException e) {
            throw new AgentException("state_dir", e.getMessage());
        }
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        Options opts;
        Agent agent;
        try {
            opts = Options.parse(args);
            agent = opts.farm() != null ? new Agent(farm(opts)) : new Agent(opts.backend());
        } catch (AgentException e) {
            System.err.println("vagoth-agent: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (opts.stream()) {
            java.io.OutputStream raw = new java.io.BufferedOutputStream(new java.io.FileOutputStream(
                    java.io.FileDescriptor.out), 1 << 16);
            System.exit(new StreamMode(agent).serve(new java.io.BufferedInputStream(System.in, 1 << 16), raw));
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            if (opts.session()) {
                for (String line; (line = in.readLine()) != null;) {
                    if (!line.isBlank()) {
                        out.println(agent.answer(line));
                    }
                }
            } else {
                StringBuilder request = new StringBuilder();
                char[] buf = new char[8192];
                for (int n; (n = in.read(buf)) > 0;) {
                    request.append(buf, 0, n);
                }
                out.println(agent.answer(request.toString()));
            }
        } catch (IOException e) {
            System.err.println("vagoth-agent: cannot read the request: " + e.getMessage());
            System.exit(1);
        }
        out.flush();
        System.exit(0);
    }

    /**
     * A simulated farm: one process answering for many simulated hypervisors,
     * each with its own state directory under the farm, chosen by the request's
     * {@code hypervisor} field (which the Vagoth driver always sends).
     */
    private static java.util.function.Function<String, Backend> farm(Options opts) {
        Map<String, Backend> cache = new java.util.HashMap<>();
        return hv -> cache.computeIfAbsent(hv, h -> {
            try {
                return new SimBackend(opts.farm().resolve(h), opts.memTotal(), opts.cpus());
            } catch (AgentException e) {
                throw new IllegalStateException(e.getMessage());
            }
        });
    }

    /** One request in, one answer out; never throws. */
    String answer(String request) {
        try {
            return success(handle(request));
        } catch (AgentException e) {
            return failure(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            return failure("internal_error", e.toString());
        }
    }

    /** A request read: its operation, its data and the back end of the hypervisor it names. */
    record Request(GeatsOperation op, JsonObject data, Backend backend) {
    }

    Request parse(String request) throws AgentException {
        JsonObject req;
        try {
            JsonElement e = JsonParser.parseString(request);
            if (!e.isJsonObject()) {
                throw new AgentException("bad_request", "the request must be a JSON object");
            }
            req = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new AgentException("bad_request", "the request is not valid JSON: " + e.getMessage());
        }
        String action = string(req, "action");
        if (action == null) {
            throw new AgentException("missing_argument", "the request names no action");
        }
        GeatsOperation op = GeatsOperation.of(action).orElseThrow(() -> new AgentException("unknown_action",
                "unknown action '" + action + "' (known: " + String.join(", ", GeatsOperation.names()) + ")"));
        JsonObject data = req.has("data") && req.get("data").isJsonObject() ? req.getAsJsonObject("data") : new JsonObject();
        String hv = string(req, "hypervisor");
        if (hv != null && !hv.matches(NAME)) {
            throw new AgentException("bad_name", "'" + hv + "' is not a valid hypervisor name");
        }
        return new Request(op, data, backendFor(hv));
    }

    private Object handle(String request) throws AgentException {
        Request r = parse(request);
        GeatsOperation op = r.op();
        JsonObject data = r.data();
        Backend backend = r.backend();
        if (op.streamed()) {
            throw new AgentException("stream_only", op.wire() + " moves a disk: it is served by an agent started with"
                    + " --stream, where the disk follows the request");
        }
        if (op == GeatsOperation.STATUS) {
            Backend.Status s = backend.status();
            Map<String, Object> vms = new LinkedHashMap<>();
            s.vms().forEach((name, info) -> vms.put(name, info(info)));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("vms", vms);
            out.put("status", s.host());
            return out;
        }
        String vm = name(data, GeatsOperation.VM_NAME);
        switch (op) {
            case DEFINE -> backend.define(vm, definition(data));
            case PROVISION -> backend.provision(vm, definition(data));
            case UNDEFINE -> backend.undefine(vm);
            case DEPROVISION -> backend.deprovision(vm);
            case START -> backend.start(vm);
            case STOP -> backend.stop(vm);
            case SHUTDOWN -> backend.shutdown(vm);
            case REBOOT -> backend.reboot(vm);
            case INFO -> {
                return info(backend.info(vm));
            }
            case MIGRATE -> backend.migrate(vm, name(data, GeatsOperation.VM_DESTINATION));
            case LIVE_PREPARE -> {
                String address = string(data, GeatsOperation.ADDRESS);
                return backend.livePrepare(vm, definition(data), address == null ? "127.0.0.1" : address,
                        flag(data, GeatsOperation.COPY_DISK));
            }
            case LIVE_FINISH -> {
                return backend.liveFinish(vm);
            }
            case LIVE_ABORT -> {
                String side = string(data, GeatsOperation.SIDE);
                if (!"source".equals(side) && !"destination".equals(side)) {
                    throw new AgentException("bad_argument", "live_abort needs data.side: source or destination");
                }
                if (flag(data, GeatsOperation.CANCEL_ONLY)) {
                    backend.liveCancel(vm);
                } else {
                    backend.liveAbort(vm, side.equals("source"));
                }
            }
            case SERIAL_LOG -> {
                JsonElement n = data.get(GeatsOperation.LINES);
                int lines;
                try {
                    lines = n == null ? 100 : n.getAsInt();
                } catch (RuntimeException e) {
                    lines = -1;
                }
                if (lines < 1 || lines > GeatsOperation.MAX_LINES) {
                    throw new AgentException("bad_argument", "serial_log needs data.lines from 1 to "
                            + GeatsOperation.MAX_LINES + ", not " + n);
                }
                return Map.of("lines", backend.serialLog(vm, lines));
            }
            case STATUS, EXPORT, IMPORT, LIVE_SEND, CONSOLE -> throw new IllegalStateException("answered above");
        }
        return null;
    }

    private static Map<String, Object> info(Backend.Info info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("definition", info.definition());
        m.put("state", List.of(info.state(), info.substate()));
        return m;
    }

    static String name(JsonObject data, String field) throws AgentException {
        String v = string(data, field);
        if (v == null) {
            throw new AgentException("missing_argument", "the request lacks data." + field);
        }
        if (!v.matches(NAME)) {
            throw new AgentException("bad_name", "'" + v + "' is not a valid name: it must match " + NAME);
        }
        return v;
    }

    static Map<String, String> definition(JsonObject data) throws AgentException {
        if (!data.has(GeatsOperation.DEFINITION) || !data.get(GeatsOperation.DEFINITION).isJsonObject()) {
            throw new AgentException("missing_argument", "the request lacks data.definition (an object)");
        }
        Map<String, String> def = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : data.getAsJsonObject(GeatsOperation.DEFINITION).entrySet()) {
            if (!e.getValue().isJsonPrimitive()) {
                throw new AgentException("bad_definition", "definition value of " + e.getKey() + " must be a string or number");
            }
            def.put(e.getKey(), e.getValue().getAsString());
        }
        return def;
    }

    /** A JSON boolean (or the string {@code true}); absent is false. */
    static boolean flag(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e instanceof JsonPrimitive p && (p.isBoolean() ? p.getAsBoolean() : p.getAsString().equals("true"));
    }

    /** A whole number within bounds, or its default when absent. */
    static long number(JsonObject o, String field, long dflt, long min, long max) throws AgentException {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return dflt;
        }
        try {
            long n = e.getAsLong();
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (RuntimeException x) {
            throw new AgentException("bad_argument", "data." + field + " must be a whole number from " + min + " to "
                    + max + ", not " + e);
        }
    }

    static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e instanceof JsonPrimitive p && p.isString() ? p.getAsString() : null;
    }

    static String success(Object data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("success", true);
        m.put("data", data);
        return GSON.toJson(m);
    }

    static String failure(String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("success", false);
        m.put("errorcode", code);
        m.put("message", message);
        return GSON.toJson(m);
    }

    /** The command line. */
    record Options(String backendName, Path state, Path farm, Path lxcpath, long memTotal, int cpus, boolean session,
            boolean stream, Path disks, String qemu, long shutdownTimeoutS) {
        static final String USAGE = "usage: vagoth-agent --backend sim --state DIR [--mem-total MB] [--cpus N] [--session | --stream]\n"
                + "       vagoth-agent --backend sim --farm DIR [--mem-total MB] [--cpus N] [--session | --stream]\n"
                + "       vagoth-agent --backend lxc [--lxcpath DIR] [--session | --stream]\n"
                + "       vagoth-agent --backend qemu --state DIR [--disks DIR] [--qemu BINARY] [--shutdown-timeout S]"
                + " [--session | --stream]\n"
                + "--disks: where the qemu disks are, a directory the hosts that share storage share\n"
                + "--stream: export or import one disk (the request line, then the disk as frames)";

        static Options parse(String[] args) throws AgentException {
            String backend = null;
            Path state = null;
            Path farm = null;
            Path lxcpath = Path.of("/var/lib/lxc");
            long mem = 16384;
            int cpus = 8;
            boolean session = false;
            boolean stream = false;
            Path disks = null;
            String qemu = "qemu-system-x86_64";
            long shutdownTimeout = 30;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--session" -> session = true;
                    case "--stream" -> stream = true;
                    case "--backend" -> backend = value(args, ++i, a);
                    case "--state" -> state = Path.of(value(args, ++i, a));
                    case "--farm" -> farm = Path.of(value(args, ++i, a));
                    case "--lxcpath" -> lxcpath = Path.of(value(args, ++i, a));
                    case "--disks" -> disks = Path.of(value(args, ++i, a));
                    case "--qemu" -> qemu = value(args, ++i, a);
                    case "--shutdown-timeout" -> shutdownTimeout = number(value(args, ++i, a), a);
                    case "--mem-total" -> mem = number(value(args, ++i, a), a);
                    case "--cpus" -> cpus = (int) number(value(args, ++i, a), a);
                    default -> throw new AgentException("usage", "unknown option " + a);
                }
            }
            if (backend == null) {
                throw new AgentException("usage", "--backend is required");
            }
            if (backend.equals("sim") && (state == null) == (farm == null)) {
                throw new AgentException("usage", "--backend sim needs --state DIR (one hypervisor) or --farm DIR (many)");
            }
            if (backend.equals("qemu") && state == null) {
                throw new AgentException("usage", "--backend qemu needs --state DIR (where its VMs' directories are)");
            }
            if (!List.of("sim", "lxc", "qemu").contains(backend)) {
                throw new AgentException("usage", "unknown backend '" + backend + "' (sim, lxc or qemu)");
            }
            if (session && stream) {
                throw new AgentException("usage", "--session and --stream do not go together");
            }
            return new Options(backend, state, farm, lxcpath, mem, cpus, session, stream, disks, qemu,
                    shutdownTimeout);
        }

        private static String value(String[] args, int i, String option) throws AgentException {
            if (i >= args.length) {
                throw new AgentException("usage", option + " needs a value");
            }
            return args[i];
        }

        private static long number(String v, String option) throws AgentException {
            try {
                long n = Long.parseLong(v);
                if (n <= 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new AgentException("usage", option + " needs a positive number, not '" + v + "'");
            }
        }

        Backend backend() throws AgentException {
            return switch (backendName) {
                case "sim" -> new SimBackend(state, memTotal, cpus);
                case "qemu" -> QemuBackend.open(state, disks, qemu, java.time.Duration.ofSeconds(shutdownTimeoutS));
                default -> new LxcBackend(lxcpath);
            };
        }
    }
}
