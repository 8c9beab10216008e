package vagoth.shell.internal;

import static vagoth.shell.internal.Session.parse;
import static vagoth.shell.internal.Session.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Manager;
import vagoth.api.Plugins;
import vagoth.api.ServiceUnavailableException;
import vagoth.api.VagothException;
import vagoth.api.registry.Registry;
import vagoth.api.registry.RegistryCopy;
import vagoth.api.job.JobHistoryCopy;
import vagoth.api.job.JobStore;
import vagoth.api.provision.TemplateCatalog;
import vagoth.shell.internal.Usage.Arg;
import vagoth.support.json.Json;
import vagoth.support.whiteboard.Whiteboard;

/** About the installation and the shell itself: plugins, templates, help and completion. */
@Component(service = ShellCommands.class, property = {"osgi.command.scope=vagoth",
    "osgi.command.function=plugins", "osgi.command.function=templates", "osgi.command.function=complete",
    "osgi.command.function=help", "osgi.command.function=copy_registry"})
public final class ShellCommands {
    private final Manager manager;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TemplateCatalog templateCatalog;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Plugins plugins;

    /** Every registry installed, by name: copy-registry's targets. */
    private final Whiteboard<Registry> registries = new Whiteboard<>(Registry.NAME);
    /** Every job store installed, by name: where copy-registry copies the job history. */
    private final Whiteboard<JobStore> jobStores = new Whiteboard<>(JobStore.NAME);

    @Activate
    public ShellCommands(@Reference Manager manager) {
        this.manager = manager;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addRegistry(Registry r, Map<String, Object> props) {
        registries.add(r, props);
    }

    void removeRegistry(Registry r, Map<String, Object> props) {
        registries.remove(r, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addJobStore(JobStore s, Map<String, Object> props) {
        jobStores.add(s, props);
    }

    void removeJobStore(JobStore s, Map<String, Object> props) {
        jobStores.remove(s, props);
    }

    @Descriptor("copy every node and blob of the active registry into another installed one (file, postgres),"
            + " and the job history into the job store of that name, then verify the copy; a target that holds"
            + " nodes is refused unless --replace")
    @Usage(synopsis = "copy-registry --to NAME [--replace]", values = "to", flags = "replace")
    public String copy_registry(@Descriptor("--to NAME [--replace]") String... args) {
        ParsedArgs a = parse("copy-registry", args);
        String to = a.value("to");
        if (to == null) {
            throw a.usage("say which registry to copy into: --to file or --to postgres");
        }
        return run("copy-registry", null, () -> {
            String from = activeRegistry();
            if (to.equals(from)) {
                throw new VagothException("the " + to + " registry is the active one: copy into another", null);
            }
            Registry target = registries.get(to).orElseThrow(() -> new ServiceUnavailableException("registry '" + to
                    + "' (installed: " + String.join(", ", registries.names()) + "; the postgres one needs"
                    + " etc/vagoth.postgres.cfg)"));
            JobStore jobsFrom = manager.jobs();
            JobStore jobsTo = jobStores.get(to).orElse(null);
            if (jobsTo != null && jobsTo != jobsFrom) { // before the nodes: open jobs refuse the whole copy
                JobHistoryCopy.refuseOpenJobs(jobsFrom);
            }
            RegistryCopy.Copied c = RegistryCopy.copy(manager.registry(), target, a.flag("replace"));
            String jobs;
            if (jobsTo == null) {
                jobs = "; no '" + to + "' job store is installed: the job history stays where it is";
            } else if (jobsTo == jobsFrom) {
                jobs = "; the job history is in the " + to + " job store already";
            } else {
                JobHistoryCopy.Copied j = JobHistoryCopy.copy(jobsFrom, jobsTo);
                jobs = "; " + j.copied() + " job record(s)" + (j.present() > 0 ? " (" + j.present() + " there already)"
                        : "") + (j.dropped() > 0 ? ", " + j.dropped() + " of them past the target's retention" : "");
            }
            return "copy-registry: OK (copied " + c.nodes() + " node(s) and " + c.blobs() + " blob(s) from " + from
                    + " to " + to + jobs + ", verified)";
        });
    }

    /** The name of the registry the manager uses now, as the plugin inventory reports it. */
    private String activeRegistry() {
        Plugins p = plugins;
        if (p == null) {
            throw new ServiceUnavailableException("plugin inventory");
        }
        return p.plugins().stream().filter(r -> r.concept().equals("registry") && r.state() == Plugins.State.ACTIVE)
                .map(Plugins.Plugin::name).findFirst().orElseThrow(() -> new ServiceUnavailableException("registry"));
    }

    @Descriptor("for each concept, the implementations present, which is active, and their bundles")
    @Usage(synopsis = "plugins", role = "viewer")
    public String plugins(@Descriptor("no arguments") String... args) {
        parse("plugins", args);
        return run("plugins", null, () -> {
            Plugins p = plugins;
            if (p == null) {
                throw new ServiceUnavailableException("plugin inventory");
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"CONCEPT", "NAME", "STATE", "BUNDLE", "SERVICE"});
            for (Plugins.Plugin row : p.plugins()) {
                rows.add(new String[] {row.concept(), row.name(), row.state().label(), row.bundle(),
                    row.serviceId() < 0 ? "-" : String.valueOf(row.serviceId())});
            }
            return Columns.of(rows);
        });
    }

    @Descriptor("the templates 'new NAME template=T' can use, with their definitions")
    @Usage(synopsis = "templates [--json]", flags = "json", role = "viewer")
    public String templates(@Descriptor("[--json]") String... args) {
        ParsedArgs a = parse("templates", args);
        return run("templates", null, () -> {
            TemplateCatalog catalog = templateCatalog;
            if (catalog == null) {
                throw new ServiceUnavailableException("template catalog (select the template provisioner:"
                        + " provisioner.target = (vagoth.provisioner=template))");
            }
            Map<String, Map<String, String>> all = new TreeMap<>();
            catalog.templates().forEach((name, def) -> all.put(name, new TreeMap<>(def)));
            if (a.flag("json")) {
                return Json.pretty(all);
            }
            List<String> lines = new ArrayList<>();
            all.forEach((name, def) -> {
                List<String> pairs = new ArrayList<>();
                def.forEach((k, v) -> {
                    if (!k.equals("template")) {
                        pairs.add(k + "=" + v);
                    }
                });
                lines.add(String.format("%-12s %s", name, String.join(" ", pairs)));
            });
            return lines.isEmpty() ? null : String.join("\n", lines);
        });
    }

    @Descriptor("what may come next on a command line: the words so far, the last one partial (for shells)")
    @Usage(synopsis = "complete WORD...", max = Usage.ANY, args = Arg.COMMAND, role = "viewer")
    public String complete(@Descriptor("WORD...") String... words) {
        List<String> w = new ArrayList<>(List.of(words));
        if (w.isEmpty()) {
            w.add("");
        }
        return run("complete", null, () -> String.join("\n",
                new Completion(manager, () -> templateCatalog).candidates(w)));
    }

    private static final String DAEMON = "daemon [start | status | stop]";

    @Descriptor("list the commands, or show one command's usage")
    @Usage(synopsis = "help [COMMAND]", max = 1, args = Arg.COMMAND, role = "viewer")
    public String help(@Descriptor("[COMMAND]") String... args) {
        ParsedArgs a = parse("help", args);
        if (a.positional().isEmpty()) {
            StringBuilder sb = new StringBuilder("usage: vagoth [--no-daemon] <command> [options] [arguments]\n\n"
                    + "commands:\n");
            List<CommandSpec> shown = Commands.all().values().stream().filter(c -> !c.name().equals(Completion.INTERNAL))
                    .toList();
            int width = Math.max(DAEMON.length(), shown.stream().mapToInt(c -> c.name().length()).max().orElse(0));
            String row = "    %-" + width + "s  %s%n";
            String subject = null;
            for (CommandSpec c : shown) {
                if (!c.subject().equals(subject)) {
                    subject = c.subject();
                    sb.append(String.format("%n  %s%n", subject));
                }
                sb.append(String.format(row, c.name(), c.summary()));
            }
            sb.append(String.format("%n  the command line itself%n"));
            sb.append(String.format(row, DAEMON, "keep a container serving this home in the foreground; 'start'"
                    + " starts one in the background, 'status' says whether one serves it, 'stop' stops it"
                    + " (bin/vagoth starts one by itself)"));
            sb.append(String.format(row, "(no command)", "the interactive shell: these commands, Tab completion and"
                    + " every command of the container (felix:lb, felix:install URL, scr:list...)"));
            sb.append(String.format(row, "--no-daemon", "before a command: run it in a container of its own,"
                    + " neither using nor starting a daemon (VAGOTH_NO_DAEMON=1 too; VAGOTH_NO_AUTOSTART=1 uses one"
                    + " that runs but starts none)"));
            sb.append(String.format(row, "--version", "the version of this distribution"));
            return sb.append("\nRun 'vagoth help <command>' for a command's options.").toString();
        }
        String name = a.arg(0);
        if (!Commands.all().containsKey(name)) {
            throw a.usage("unknown command '" + name + "'");
        }
        CommandSpec s = Commands.spec(name);
        return "usage: vagoth " + s.synopsis() + "\n" + s.summary();
    }
}
