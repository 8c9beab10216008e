package vagoth.dist;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.framework.ServiceReference;
import vagoth.api.Installation;

/**
 * Runs one {@code vagoth:<command>} through Gogo's command processor and maps
 * the outcome to an exit status: 0 done, 1 failed, 2 usage error. Arguments
 * are passed as session variables, so nothing in them is parsed by Gogo.
 * Gogo's classes live in a bundle, hence the reflection.
 */
final class OneShot {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** The daemon stopped while it ran the command: what became of it is unknown, and it is not run again here. */
    static final int OUTCOME_UNKNOWN = 6;
    static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SCOPE = "(osgi.command.scope=vagoth)";
    private static final long START_TIMEOUT_MS = 15_000;

    private final Container container;
    private final PrintStream out;
    private final PrintStream err;

    OneShot(Container container, PrintStream out, PrintStream err) {
        this.container = container;
        this.out = out;
        this.err = err;
    }

    /**
     * Adds the embedded hypervisor to a new home, once. A failure is reported
     * and the next command tries again.
     */
    void seed(VagothHome home, java.nio.file.Path dist) {
        if (java.nio.file.Files.exists(home.seededMarker())) {
            return;
        }
        java.io.ByteArrayOutputStream quiet = new java.io.ByteArrayOutputStream();
        PrintStream q = new PrintStream(quiet, true, java.nio.charset.StandardCharsets.UTF_8);
        int status = new OneShot(container, q, q).run("new", home.seedCommand(), false);
        String said = quiet.toString(java.nio.charset.StandardCharsets.UTF_8);
        if (status == OK || said.contains("already in use")) {
            try {
                java.nio.file.Files.writeString(home.seededMarker(), "hyper1\n");
            } catch (java.io.IOException e) {
                err.println("vagoth: cannot write " + home.seededMarker() + ": " + e.getMessage());
            }
        } else {
            err.println("vagoth: could not add the embedded hypervisor hyper1: " + said.strip());
        }
    }

    /** The shell's completion helper: a command for the shell, not for operators. */
    static final String INTERNAL_COMPLETE = "complete";

    /** The command nearest to {@code typed}: at most two edits away (a swap counts as one), else null. */
    static String closest(String typed, List<String> commands) {
        return vagoth.support.cmd.Suggest.closest(typed, commands);
    }

    int run(String command, String[] args, boolean color) {
        return run(command, args, color, null, null, null);
    }

    /**
     * @param source who the work is attributed to (the client's user, through the daemon); null for the default
     * @param jobs   told the id of each job the command starts, as it starts (the daemon's client); may be null
     * @param txids  told the id of the transaction the command runs in, as it begins; may be null
     */
    int run(String command, String[] args, boolean color, String source, java.util.function.Consumer<String> jobs,
            java.util.function.Consumer<String> txids) {
        Object processor = container.waitForService(PROCESSOR, START_TIMEOUT_MS);
        Object commands = container.waitForService("*", SCOPE, START_TIMEOUT_MS);
        if (processor == null || commands == null) {
            err.println("vagoth: the container did not start its commands; see " + "var/log/vagoth.log");
            return FAILED;
        }
        // a command's dashes are its Gogo function's underscores (copy-registry: copy_registry)
        String function = command.replace('-', '_');
        if (!functions().contains(function)) {
            unknownCommand(command, false);
            return USAGE;
        }
        awaitCoreServices();
        Trace.mark("services ready");
        try {
            Method create = processor.getClass().getMethod("createSession", InputStream.class, OutputStream.class,
                    OutputStream.class);
            Object session = create.invoke(processor, System.in, out, err);
            Method put = session.getClass().getMethod("put", String.class, Object.class);
            Method execute = session.getClass().getMethod("execute", CharSequence.class);
            put.invoke(session, Installation.COLOR_VARIABLE, color);
            put.invoke(session, Installation.ERR_VARIABLE, err);
            if (source != null) {
                put.invoke(session, Installation.SOURCE_VARIABLE, source);
            }
            if (jobs != null) {
                put.invoke(session, Installation.JOB_LISTENER_VARIABLE, jobs);
            }
            if (txids != null) {
                put.invoke(session, Installation.TX_LISTENER_VARIABLE, txids);
            }
            StringBuilder line = new StringBuilder("vagoth:").append(function);
            for (int i = 0; i < args.length; i++) {
                put.invoke(session, "vagoth_arg" + i, args[i]);
                line.append(" $vagoth_arg").append(i);
            }
            try {
                Object result = execute.invoke(session, line);
                Trace.mark("command done");
                if (result != null && !result.toString().isEmpty()) {
                    out.println(result);
                }
                // a command may say how it ended beyond success (vagoth wait)
                Object status = session.getClass().getMethod("get", String.class).invoke(session, Installation.EXIT_VARIABLE);
                return status instanceof Integer i ? i : OK;
            } finally {
                session.getClass().getMethod("close").invoke(session);
            }
        } catch (InvocationTargetException e) {
            return failure(e.getCause());
        } catch (ReflectiveOperationException e) {
            err.println("vagoth: cannot run commands: " + e);
            return FAILED;
        }
    }

    /**
     * Says that {@code command} is none, offering the nearest; {@code inShell}
     * also offers the container's other commands ({@code felix:lb}...).
     */
    void unknownCommand(String command, boolean inShell) {
        List<String> offered = new ArrayList<>(commands());
        offered.remove(INTERNAL_COMPLETE);
        List<String> near = new ArrayList<>(offered);
        if (inShell) {
            near.addAll(otherCommands());
        }
        String closest = closest(command, near);
        err.println("vagoth: unknown command '" + command + "'" + (closest == null ? "" : "; did you mean '" + closest
                + "'?") + " (commands: " + String.join(", ", offered) + (inShell ? "; and the container's, e.g."
                + " felix:lb, scr:list" : "") + ")");
        err.println("Run '" + (inShell ? "" : "vagoth ") + "help' for usage.");
    }

    /** Vagoth's commands as an operator types them ({@code copy-registry}), the completion helper included. */
    Set<String> commands() {
        Set<String> names = new TreeSet<>();
        functions().forEach(f -> names.add(f.replace('_', '-')));
        return names;
    }

    /** The container's other Gogo commands, as {@code scope:function} ({@code felix:lb}, {@code scr:list}...). */
    Set<String> otherCommands() {
        Set<String> names = new TreeSet<>();
        ServiceReference<?>[] refs = container.references(null, "(osgi.command.scope=*)");
        if (refs != null) {
            for (ServiceReference<?> r : refs) {
                String scope = String.valueOf(r.getProperty("osgi.command.scope"));
                if (!scope.equals("vagoth")) {
                    functionsOf(r).forEach(f -> names.add(scope + ":" + f));
                }
            }
        }
        return names;
    }

    private int failure(Throwable t) {
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        err.println(msg);
        Trace.failure(t, err);
        return t instanceof IllegalArgumentException ? USAGE : FAILED;
    }

    private Set<String> functions() {
        Set<String> names = new TreeSet<>();
        ServiceReference<?>[] refs = container.references(null, SCOPE);
        if (refs != null) {
            for (ServiceReference<?> r : refs) {
                names.addAll(functionsOf(r));
            }
        }
        return names;
    }

    private static List<String> functionsOf(ServiceReference<?> r) {
        Object f = r.getProperty("osgi.command.function");
        return f instanceof String[] a ? List.of(a) : f == null ? List.of() : List.of(f.toString());
    }

    /**
     * Gives the registry, scheduler and provisioner a moment to be registered:
     * the manager reports a missing one by name, but on a healthy start they
     * are there before the first command. Only their registration is awaited;
     * they are created when a command first uses them.
     */
    private void awaitCoreServices() {
        for (String api : new String[] {"vagoth.api.registry.Registry", "vagoth.api.scheduler.Scheduler", "vagoth.api.provision.Provisioner"}) {
            container.awaitRegistration(api, 3000);
        }
    }
}
