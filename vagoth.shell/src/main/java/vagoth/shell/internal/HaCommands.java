package vagoth.shell.internal;

import static vagoth.shell.internal.Session.asCaller;
import static vagoth.shell.internal.Session.parse;
import static vagoth.shell.internal.Session.run;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import vagoth.api.Manager;
import vagoth.api.virt.HighAvailability;
import vagoth.api.Node;
import vagoth.api.action.Action;
import vagoth.shell.internal.Usage.Arg;

/** {@code ha}: which VMs ask for high availability, what recovery did with them; asking for it or not. */
@Component(service = HaCommands.class, property = {"osgi.command.scope=vagoth", "osgi.command.function=ha"})
public final class HaCommands {
    private final Manager manager;

    @Activate
    public HaCommands(@Reference Manager manager) {
        this.manager = manager;
    }

    /** This process's recovery: optional, as vagoth.virt is one plugin among others. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile HighAvailability highAvailability;

    private HighAvailability.Status recovery() {
        HighAvailability h = highAvailability;
        return h == null ? null : h.status();
    }

    @Descriptor("high availability: 'ha status' shows each VM that asks for it (ha=restart) and what recovery did, and"
            + " each host recovery could not fence; 'ha VM on' asks for it (--priority N: higher ones are restarted"
            + " first; counts its recoveries from 0 again), 'ha VM off' no longer")
    @Usage(synopsis = "ha status [--json] | ha [--priority N] VM on|off", values = "priority", flags = "json", min = 1,
            max = 2, args = Arg.VM, role = "viewer", acts = {"on", "off"})
    public String ha(CommandSession session, @Descriptor("status | VM on|off") String... args) {
        ParsedArgs a = parse("ha", args);
        if (a.positional().size() == 1 && a.arg(0).equals("status")) {
            return run("ha status", null, () -> a.flag("json") ? vagoth.support.json.Json.compact(status())
                    : table(status()));
        }
        if (a.positional().size() != 2 || !List.of("on", "off").contains(a.arg(1))) {
            throw a.usage("ha takes 'status', or a VM and on or off");
        }
        boolean on = a.arg(1).equals("on");
        Integer priority = null;
        if (a.value("priority") != null) {
            try {
                priority = Integer.parseInt(a.value("priority"));
            } catch (NumberFormatException e) {
                priority = null;
            }
            if (priority == null || priority < -1000 || priority > 1000 || !on) {
                throw a.usage(on ? "--priority takes a number from -1000 to 1000, not '" + a.value("priority") + "'"
                        : "--priority goes with 'on'");
            }
        }
        Integer p = priority;
        return run("ha", a.arg(0), () -> asCaller(manager, session, () -> set(a.arg(0), on, p)));
    }

    private String set(String ref, boolean on, Integer priority) {
        Node vm = manager.registry().resolve(ref);
        Map<String, String> args = new HashMap<>(Map.of(Action.NODE_ARG, vm.id(), "on", String.valueOf(on)));
        if (priority != null) {
            args.put("priority", String.valueOf(priority));
        }
        Map<?, ?> done = (Map<?, ?>) manager.action("ha", args);
        return "ha: " + done.get("name") + (on ? " is restarted elsewhere when its host dies (priority "
                + done.get("priority") + ")" + (Boolean.TRUE.equals(done.get("shared")) ? ""
                : "; its host shares no storage, so it would stay unassigned: a disk on shared storage is what lets"
                + " it restart elsewhere") : " is no longer restarted elsewhere by itself");
    }

    private Map<String, Object> status() {
        return vagoth.support.json.HaJson.status(manager.registry(), recovery());
    }

    @SuppressWarnings("unchecked")
    private static String table(Map<String, Object> status) {
        List<Map<String, Object>> vms = (List<Map<String, Object>>) status.get("vms");
        List<Map<String, Object>> hosts = (List<Map<String, Object>>) status.get("unfenced");
        StringBuilder b = new StringBuilder(manager((Map<String, Object>) status.get("manager")));
        b.append(vms.isEmpty() ? "ha: no VM asks for it ('vagoth ha VM on')\n"
                : "ha: " + vms.size() + " VM" + (vms.size() == 1 ? "" : "s") + " restarted elsewhere when their host"
                + " dies, highest priority first\n");
        for (Map<String, Object> v : vms) {
            b.append(String.format("  %-20s priority=%-4s %-12s host=%-12s relocations=%s restarts_left=%s%s%n",
                    v.get("name"), v.get("priority"), v.get("state"), v.get("host") == null ? "none" : v.get("host"),
                    v.get("relocations"), v.get("restarts_left") == null ? "?" : v.get("restarts_left"),
                    v.get("recovery") == null ? "" : "  " + shown(v.get("recovery"))));
        }
        for (Map<String, Object> h : hosts) {
            b.append("  host ").append(h.get("name")).append(" (").append(h.get("state")).append(") is not fenced: ")
                    .append(shown(h.get("fence_failed"))).append("; tried again after ").append(h.get("next_try"))
                    .append('\n');
        }
        return b.toString().stripTrailing();
    }

    /** The manager's line: who recovers, by which rules, and when it last looked. */
    private static String manager(Map<String, Object> m) {
        if (m == null) {
            return "ha: no recovery runs in this process (the vagoth.virt plugin is not there)\n";
        }
        if (!Boolean.TRUE.equals(m.get("enabled"))) {
            return "ha: recovery is off (enabled = false in etc/vagoth.ha.cfg): a dead host's VMs stay lost\n";
        }
        @SuppressWarnings("unchecked")
        List<String> hosts = (List<String>) m.get("hosts");
        return "ha: manager " + m.get("daemon") + ": fences a host unreachable for " + m.get("grace_s") + " s and "
                + m.get("min_missed_polls") + " polls in a row; " + m.get("max_restarts") + " starts and "
                + m.get("max_relocations") + " relocations per VM; " + (m.get("last_pass") == null
                ? "no pass yet in this process (recovery follows each poll of all hosts)"
                : "last pass " + m.get("last_pass") + " over " + (hosts.isEmpty() ? "no host" : String.join(" ", hosts)))
                + "\n";
    }

    /** What an agent or a fence command said, with nothing a terminal would act on. */
    private static String shown(Object said) {
        return vagoth.api.Printable.of(String.valueOf(said));
    }
}
