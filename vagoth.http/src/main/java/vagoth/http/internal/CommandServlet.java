package vagoth.http.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import vagoth.api.Installation;
import vagoth.api.access.AccessToken;
import vagoth.api.access.CommandRoles;
import vagoth.support.cmd.Suggest;

/**
 * {@code POST /api/v1/command} with {@code {"args": ["list", "dev*"]}}: one
 * Vagoth command run in the daemon as {@code bin/vagoth} runs it, answered
 * with its exit status and what it wrote ({@code {"status": 0, "out": ..,
 * "err": ..}}): what {@code bin/vagoth --remote} sends. The role a command
 * needs is what its {@link CommandRoles} says, read from the arguments as the
 * command's own parser reads them: reading is a viewer's, a VM's actions and
 * jobs an operator's, the rest (and anything not known) an admin's.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/command",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class CommandServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final int FAILED = 1;
    /** More arguments than any command takes: refused before anything parses them (the body is bounded too). */
    static final int MAX_ARGS = 1000;
    private static final int USAGE = 2;
    private final transient CommandProcessor processor;
    private final transient BundleContext context;
    private final transient CommandRoles roles;
    private final transient AgentAllowList agents;

    @Activate
    public CommandServlet(@Reference CommandProcessor processor, @Reference CommandRoles roles,
            @Reference AgentAllowList agents, BundleContext context) {
        this.processor = processor;
        this.roles = roles;
        this.agents = agents;
        this.context = context;
    }

    /** Vagoth's commands as operators type them (the completion helper left out). */
    private java.util.TreeSet<String> commands() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(osgi.command.scope=vagoth)");
            for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
                Object f = r.getProperty("osgi.command.function");
                for (String fn : f instanceof String[] a ? a : new String[] {String.valueOf(f)}) {
                    names.add(fn.replace('_', '-'));
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        names.remove("complete");
        return names;
    }

    @Override
    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        JsonObject o = Body.object(req, Set.of("args", "color"));
        JsonElement a = o.get("args");
        if (a == null || !a.isJsonArray() || a.getAsJsonArray().isEmpty()) {
            throw new Api.Refusal(400, "a command is {\"args\": [\"list\", ...]}");
        }
        if (a.getAsJsonArray().size() > MAX_ARGS) {
            throw new Api.Refusal(400, "a command takes at most " + MAX_ARGS + " arguments, not "
                    + a.getAsJsonArray().size());
        }
        List<String> args = new ArrayList<>();
        for (JsonElement e : (JsonArray) a) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new Api.Refusal(400, "each of \"args\" must be a string");
            }
            args.add(e.getAsString());
        }
        if (!args.get(0).matches("[a-z][a-z-]{0,30}")) {
            throw new Api.Refusal(400, "not a command: '" + args.get(0) + "'");
        }
        AccessToken caller = Api.require(req, roles.needed(args)); // as the command's own parser reads them
        for (String arg : args) {
            if (arg.startsWith("agent=")) { // a definition pair, as 'new --type hv NAME agent=...' takes it
                agents.check(arg.substring("agent=".length()));
            }
        }
        java.util.TreeSet<String> commands = commands();
        if (!commands.contains(args.get(0)) && !args.get(0).equals("complete")) {
            // as bin/vagoth says it
            String near = Suggest.closest(args.get(0), commands);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("status", USAGE);
            answer.put("out", "");
            answer.put("err", "vagoth: unknown command '" + args.get(0) + "'" + (near == null ? "" : "; did you mean '"
                    + near + "'?") + " (commands: " + String.join(", ", commands) + ")\nRun 'vagoth help' for usage.\n");
            Api.json(resp, 200, answer);
            return;
        }
        boolean color = o.has("color") && o.get("color").isJsonPrimitive() && o.get("color").getAsBoolean();
        Map<String, Object> answer = run(args, color, "api:" + caller.name());
        Api.json(resp, 200, answer);
    }

    /** Runs {@code args} as the one-shot path does (arguments as session variables: Gogo parses none of them). */
    private Map<String, Object> run(List<String> args, boolean color, String source) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
                CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), o, e)) {
            session.put(Installation.COLOR_VARIABLE, color);
            session.put(Installation.SOURCE_VARIABLE, source);
            StringBuilder line = new StringBuilder("vagoth:").append(args.get(0).replace('-', '_'));
            for (int i = 1; i < args.size(); i++) {
                session.put("vagoth_arg" + (i - 1), args.get(i));
                line.append(" $vagoth_arg").append(i - 1);
            }
            try {
                Object result = session.execute(line);
                if (result != null && !result.toString().isEmpty()) {
                    o.println(result);
                }
                Object exit = session.get(Installation.EXIT_VARIABLE);
                status = exit instanceof Integer i ? i : 0;
            } catch (IllegalArgumentException ex) {
                e.println(ex.getMessage());
                status = USAGE;
            } catch (Exception ex) {
                e.println(ex.getMessage() == null ? ex.toString() : ex.getMessage());
                status = FAILED;
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", status);
        answer.put("out", out.toString(StandardCharsets.UTF_8));
        answer.put("err", err.toString(StandardCharsets.UTF_8));
        return answer;
    }
}
