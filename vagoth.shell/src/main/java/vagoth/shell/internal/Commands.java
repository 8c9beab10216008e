package vagoth.shell.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Every command's usage, in one table for parsing, usage errors and help. */
final class Commands {
    static final int ANY = Integer.MAX_VALUE;
    private static final Map<String, CommandSpec> SPECS = new LinkedHashMap<>();

    static {
        add("list", "list [--tenant T] [--type T] [--tag K[=V]]... [--key K] [--state S] [--parent P] [--stuck] [--json] [NAME-GLOB...]",
                "list nodes, filtered (--parent '' lists nodes without a parent; --stuck, VMs stuck in a transition)",
                Set.of("tenant", "type", "tag", "key", "state", "parent"), Set.of("json", "stuck"), 0, ANY);
        add("listvm", "listvm [--tenant T] [--tag K[=V]]... [--state S] [--parent P] [--json] [NAME-GLOB...]",
                "list virtual machines", Set.of("tenant", "tag", "key", "state", "parent"), Set.of("json"), 0, ANY);
        add("listhv", "listhv [--tenant T] [--tag K[=V]]... [--state S] [--json] [NAME-GLOB...]",
                "list hypervisors with their VMs, RAM and CPUs used, and capacity", Set.of("tenant", "tag", "key", "state"),
                Set.of("json"), 0, ANY);
        add("tree", "tree", "show parents with their children, then nodes on their own", Set.of(), Set.of(), 0, 0);
        add("info", "info [--json] NODE", "show everything about a node", Set.of(), Set.of("json"), 1, 1);
        add("new", "new [--name NAME] [--type TYPE] [--tenant T] [--tag K[=V]]... NODE-ID [KEY=VALUE...]",
                "provision a new node (type vm unless --type says otherwise) with the given definition",
                Set.of("name", "type", "tenant", "tag"), Set.of(), 1, ANY);
        add("set", "set [--name NAME] [--tenant T] [--tag K=V | --tag K=]... [--state S [--force]] NODE",
                "change a node's name, tenant, tags (K= deletes a tag) or recorded state (a known one, or any with"
                        + " --force)",
                Set.of("name", "tenant", "tag", "state"), Set.of("force"), 1, 1);
        add("rename", "rename NODE NEW-NAME", "give a node a new name", Set.of(), Set.of(), 2, 2);
        add("delete", "delete NODE", "remove a node through the provisioner (it must have no parent or children)",
                Set.of(), Set.of(), 1, 1);
        vm("start", "start a VM (defining it first if it is unassigned)");
        vm("stop", "stop a VM at once (kill)");
        vm("shutdown", "ask a VM to shut down cleanly");
        vm("reboot", "reboot a VM");
        vm("undefine", "remove a VM from its hypervisor and unassign it");
        vm("deprovision", "remove a VM and its disk from its hypervisor and unassign it");
        add("define", "define [--hint HV] VM", "place a VM on a hypervisor (the allocator chooses, or --hint) and define it there",
                Set.of("hint"), Set.of(), 1, 1);
        add("provision", "provision [--hint HV] VM", "place a VM and provision it (create its disk) on the hypervisor",
                Set.of("hint"), Set.of(), 1, 1);
        add("migrate", "migrate VM HV", "move a VM to another hypervisor (cold: stopped, moved, started again if it ran)",
                Set.of(), Set.of(), 2, 2);
        add("poll", "poll [--verbose]", "ask every hypervisor for its state and bring the registry up to date",
                Set.of(), Set.of("verbose"), 0, 0);
        add("maintenance", "maintenance HV on|off", "take a hypervisor out of placement, or put it back",
                Set.of(), Set.of(), 2, 2);
        add("fence", "fence [--command] HV",
                "state that a hypervisor is powered off (--command: prove it with the configured fence command): its"
                        + " lost VMs are released to start elsewhere, and it takes no placements until unfenced",
                Set.of(), Set.of("command"), 1, 1);
        add("unfence", "unfence HV", "let a fenced hypervisor take placements again", Set.of(), Set.of(), 1, 1);
        add("jobs", "jobs [--state S] [--node NODE] [--txid TXID] [--limit N] [--json]",
                "recent jobs, most recent first (default 50)", Set.of("state", "node", "txid", "limit"), Set.of("json"), 0, 0);
        add("job", "job [--json] JOB-ID | job retry JOB-ID",
                "one job in full, with its error; 'retry' runs an interrupted, failed or cancelled job again as a new job",
                Set.of(), Set.of("json"), 1, 2);
        add("cancel", "cancel JOB-ID", "cancel a queued job", Set.of(), Set.of(), 1, 1);
        add("wait", "wait [--timeout SECONDS] JOB-ID",
                "block until a job ends; exit status 0 done, 1 failed, 3 cancelled, 4 interrupted, 5 timed out",
                Set.of("timeout"), Set.of(), 1, 1);
        add("plugins", "plugins", "for each concept, the implementations present, which is active, and their bundles",
                Set.of(), Set.of(), 0, 0);
        add("templates", "templates [--json]", "the templates 'new NAME template=T' can use, with their definitions",
                Set.of(), Set.of("json"), 0, 0);
        add("help", "help [COMMAND]", "list the commands, or show one command's usage", Set.of(), Set.of(), 0, 1);
    }

    private Commands() {
    }

    private static void vm(String name, String summary) {
        add(name, name + " VM", summary, Set.of(), Set.of(), 1, 1);
    }

    private static void add(String name, String synopsis, String summary, Set<String> values, Set<String> flags,
            int min, int max) {
        SPECS.put(name, new CommandSpec(name, synopsis, summary, values, flags, min, max));
    }

    static CommandSpec spec(String name) {
        CommandSpec s = SPECS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no such command: " + name);
        }
        return s;
    }

    static Map<String, CommandSpec> all() {
        return SPECS;
    }

    /** The names to register as Gogo functions. */
    static String[] functionNames() {
        return SPECS.keySet().toArray(String[]::new);
    }
}
