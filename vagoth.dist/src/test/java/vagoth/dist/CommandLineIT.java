package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

/**
 * The assembled distribution, driven as an operator drives it: every command
 * is a new {@code bin/vagoth} process on one VAGOTH_HOME, so everything must
 * survive a container restart.
 */
@Timeout(300)
class CommandLineIT {
    @TempDir
    Path home;

    record Result(int status, String out, String err) {
    }

    private Result vagoth(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        pb.environment().remove("VAGOTH_JAVA_OPTS");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        VagothProcess.Result r = VagothProcess.ended(p, 120, "bin/vagoth " + String.join(" ", args));
        return new Result(r.status(), r.out().stripTrailing(), r.err().stripTrailing());
    }

    private String ok(String... args) throws Exception {
        Result r = vagoth(args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + " failed: " + r.err());
        return r.out();
    }

    @BeforeEach
    void freshHome() throws IOException {
        Files.delete(home); // VAGOTH_HOME is created on first use
    }

    @Test
    void aFreshHomeGetsItsLayoutAndDefaults() throws Exception {
        assertEquals("hyper1      state=up         type=hv  parent=", ok("list"));
        assertTrue(Files.isRegularFile(home.resolve("etc/vagoth.manager.cfg")));
        assertTrue(Files.isDirectory(home.resolve("deploy")));
        assertTrue(Files.isRegularFile(home.resolve("var/registry/wal.log")));
        assertTrue(Files.isRegularFile(home.resolve("var/log/vagoth.log")));
        assertTrue(Files.isRegularFile(home.resolve("var/.seeded")));
    }

    @Test
    void nodesAreManagedAcrossRestarts() throws Exception {
        assertEquals("new: OK (devnode1)", ok("new", "devnode1", "template=debian"));
        assertEquals("devnode1    state=unknown    type=vm  parent=", ok("list", "devnode1"));
        assertEquals("hyper1      state=up         type=hv  parent=", ok("list", "--type", "hv"), "the embedded hypervisor");
        assertEquals("set: OK (devnode1)", ok("set", "--tag", "role=web", "--tenant", "acme", "devnode1"));
        assertTrue(ok("info", "devnode1").contains("tags:       role=web"));
        assertEquals("devnode1    state=unknown    type=vm  parent=", ok("list", "--tag", "role=web"));
        assertEquals("devnode1    state=unknown    type=vm  parent=", ok("list", "--tenant", "acme"));
        assertEquals("rename: OK (web1)", ok("rename", "devnode1", "web1"));
        assertEquals("web1        state=unknown    type=vm  parent=", ok("list", "web*"));
        assertEquals("devnode1", JsonText.object(ok("info", "--json", "web1")).get("id").getAsString());
        assertEquals(2, ok("tree").lines().count());
        assertEquals("delete: OK (web1)", ok("delete", "web1"));
        assertEquals("hyper1      state=up         type=hv  parent=", ok("list"));
    }

    @Test
    void badInputFailsClearlyAndChangesNothing() throws Exception {
        ok("new", "devnode1", "template=debian");
        String before = ok("list", "--json");
        check(vagoth("frob"), 2, "vagoth: unknown command 'frob'");
        check(vagoth("list", "--bogus"), 2, "list: unknown option --bogus");
        check(vagoth("new"), 2, "new: missing arguments");
        check(vagoth("info", "nosuch"), 1, "info: Node nosuch not found in registry. (nosuch)");
        check(vagoth("new", "devnode1"), 1, "new: Node id devnode1 is already in use (devnode1)");
        check(vagoth("new", "--name", "devnode1", "x2"), 1, "new: Name devnode1 is already used by node devnode1 (as its id) (x2)");
        check(vagoth("new", "x3", "template"), 2, "new: definition pair 'template' must be key=value");
        check(vagoth("new", "a;rm -rf /"), 1, "new: Invalid node id 'a;rm -rf /'");
        check(vagoth("new", "../../etc/passwd"), 1, "new: Invalid node id '../../etc/passwd'");
        check(vagoth("new", "x4", "--type", "toaster"), 1, "new: Unknown node type toaster (known: hv, vm) (x4)");
        assertEquals(before, ok("list", "--json"));
    }

    private static void check(Result r, int status, String errorStart) {
        assertEquals(status, r.status(), r.err());
        assertTrue(r.err().startsWith(errorStart), r.err());
        assertEquals("", r.out());
    }

    /** The original README's command-line session, on the embedded simulated hypervisor. */
    @Test
    void theOriginalWalkthrough() throws Exception {
        assertEquals("new: OK (devnode1)", ok("new", "devnode1", "template=debian"));
        assertEquals("devnode1    state=unknown    type=vm  parent=", ok("list", "devnode1"));
        Result start = vagoth("start", "devnode1");
        assertEquals(0, start.status(), start.err());
        assertEquals("start: OK (devnode1)", start.out());
        String[] log = start.err().split("\n");
        assertTrue(log[0].matches("vagoth: txid=[0-9a-f]{8} source=\\S+ action=start vm=devnode1"), log[0]);
        assertEquals(log[0].replace("action=start", "action=define"), log[1], "the nested define shares the txid");
        assertEquals("devnode1    state=starting    type=vm  parent=hyper1", ok("list", "devnode1"));
        assertEquals("", ok("poll"));
        assertEquals("devnode1    state=running    type=vm  parent=hyper1", ok("list", "devnode1"));
        assertEquals("stop: OK (devnode1)", ok("stop", "devnode1"));
        ok("poll");
        assertEquals("devnode1    state=stopped    type=vm  parent=hyper1", ok("list", "devnode1"));
        Result early = vagoth("delete", "devnode1");
        assertEquals(1, early.status());
        assertEquals("delete: Cannot deprovision node while it's still assigned to a parent (devnode1)", early.err());
        assertEquals("deprovision: OK (devnode1)", ok("deprovision", "devnode1"));
        assertEquals("devnode1    state=unassigned    type=vm  parent=", ok("list", "devnode1"));
        assertEquals("delete: OK (devnode1)", ok("delete", "devnode1"));
        String jobs = ok("jobs");
        assertTrue(jobs.lines().anyMatch(l -> l.contains(" done ") && l.contains(" start ")
                && l.contains(log[0].substring(log[0].indexOf("txid=") + 5, log[0].indexOf("txid=") + 13))), jobs);
    }

    @Test
    void aFailedStartIsAFailedJobWithTheReason() throws Exception {
        // a host that cannot be reached is polled when it is added: nothing is placed on it
        String unreachable = ok("new", "--type", "hv", "gone", "driver=geats", "agent=/nonexistent/agent");
        assertTrue(unreachable.startsWith("new: OK (gone); its first poll failed, so nothing is placed on it until it"
                + " answers: ") && unreachable.contains("cannot run agent /nonexistent/agent"), unreachable);
        ok("new", "vm9");
        Result refused = vagoth("define", "--hint", "gone", "vm9");
        assertEquals(1, refused.status());
        assertTrue(refused.err().contains("gone is unreachable"), refused.err());
        // one that answers its poll and fails the define: a failed job with the agent's reason
        ok("new", "--type", "hv", "broken", "driver=geats", "agent=" + FAILS_DEFINE);
        Result r = vagoth("define", "--hint", "broken", "vm9");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("define: broken: define failed: disk_full: no room for vm9"), r.err());
        assertTrue(ok("info", "vm9").contains("state:      error"));
        assertTrue(ok("jobs", "--state", "failed").contains("no room for vm9"));
        String listhv = ok("listhv");
        assertTrue(listhv.contains("hyper1") && listhv.contains("broken"), listhv);
        assertEquals("maintenance: on (broken)", ok("maintenance", "broken", "on"));
        assertTrue(ok("listhv", "broken").contains("maintenance=on"));
    }

    /** An agent that answers its poll and refuses every define. */
    private static final String FAILS_DEFINE = VagothProcess.pollableAgent("echo '{\\\"success\\\": false,"
            + " \\\"errorcode\\\": \\\"disk_full\\\", \\\"message\\\": \\\"no room for vm9\\\"}'");

    @Test
    void aDryRunSaysWhereAndWhyAndChangesNothing() throws Exception {
        ok("new", "--type", "hv", "small", "driver=geats", "agent=" + VagothProcess.pollableAgent("exit 1"));
        ok("new", "vm1", "template=debian", "ram=2048");
        ok("new", "huge", "ram=99999");
        String before = ok("list");
        String plan = ok("define", "--dry-run", "vm1");
        assertTrue(plan.startsWith("define --dry-run (nothing was changed):\nvm1 -> hyper1"), plan);
        assertTrue(plan.contains("small: would take it too"), plan);
        Result none = vagoth("define", "--dry-run", "huge");
        assertEquals(2, none.status(), "does not fit: exit status 2");
        assertTrue(none.out().contains("huge: fits nowhere") && none.out().contains("small: needs 99999 MB RAM, has"
                + " 4096 MB free of 4096") && none.out().contains("hyper1: needs 99999 MB RAM"), none.out());
        assertTrue(ok("start", "--dry-run", "vm1").contains("vm1 -> hyper1"));
        assertEquals(before, ok("list"), "nothing was changed");
        assertTrue(ok("jobs").lines().count() <= 1, "no job was made");

        ok("define", "vm1");
        Result move = vagoth("migrate", "--dry-run", "vm1", "small");
        assertEquals(0, move.status(), move.toString());
        assertTrue(move.out().contains("vm1 -> small") && move.out().contains("they share no storage: its disk would be"
                + " copied"), move.out());
        assertTrue(ok("list", "vm1").contains("parent=hyper1"));
        String live = ok("migrate", "--dry-run", "--live", "vm1", "small");
        assertTrue(live.contains("\nlive: not now (it moves live only while it runs, between hosts whose driver"
                + " migrates live with the same accelerator); if it could: they share no storage"), live);
        Result nowhere = vagoth("migrate", "--dry-run", "huge", "small");
        assertEquals(1, nowhere.status(), nowhere.toString());
        assertTrue(nowhere.err().contains("huge is on no hypervisor"), nowhere.err());

        String room = ok("capacity", "ram=1024");
        assertTrue(room.contains("small       4  limited by RAM") && room.contains("hyper1     14  limited by RAM")
                && room.endsWith("total: 18 more"), room);
        assertTrue(ok("capacity", "--template", "debian").endsWith(" more"));
        Result bad = vagoth("capacity", "disk=10G");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("capacity asks about ram= and cpus=, not disk="), bad.err());
    }

    @Test
    void listhvAsJsonCarriesWhatListhvShows() throws Exception {
        ok("new", "vm1", "template=debian");
        ok("define", "vm1");
        String json = ok("listhv", "--json");
        com.google.gson.JsonObject hyper1 = com.google.gson.JsonParser.parseString(json).getAsJsonArray().get(0)
                .getAsJsonObject();
        assertEquals(JsonText.object("{\"vms\": 1, \"max_vms\": null, \"ram_used\": 1024, \"ram_total\": 16384,"
                + " \"ram_free\": 15360, \"cpus_used\": 1, \"cpus_total\": 8}"), hyper1.getAsJsonObject("capacity"), json);
        assertFalse(hyper1.get("maintenance").getAsBoolean() || hyper1.get("fenced").getAsBoolean(), json);
    }

    @Test
    void theEmbeddedHypervisorNamesItsAgentWithoutThePathOfTheBuild() throws Exception {
        String agent = ok("info", "hyper1").lines().filter(l -> l.strip().startsWith("agent=")).findFirst().orElseThrow();
        assertTrue(agent.strip().startsWith("agent=vagoth-agent --backend sim --state "), agent);
        assertFalse(agent.contains(System.getProperty("vagoth.dist")), agent);
        ok("poll");
        assertTrue(ok("list", "hyper1").contains("state=up"), "the agent is found on the distribution's PATH");
    }

    @Test
    void theSeedExampleExpandsItsTemplateWithAnAddress() throws Exception {
        ok("new", "devnode1", "template=debian");
        String info = ok("info", "devnode1");
        assertTrue(info.contains("    ram=1024") && info.contains("    ip=10.0.0.10") && info.contains("    mac=02:"), info);
        assertTrue(info.contains("keys:       ip-10.0.0.10 mac-02:00:0a:00:00:0a"), info);
    }

    @Test
    void pluginsSaysADriverIsInUseOnlyWhenAHypervisorUsesIt() throws Exception {
        String plugins = ok("plugins");
        assertTrue(plugins.lines().anyMatch(l -> l.matches("driver +geats +in use +vagoth.driver.geats .*")), plugins);
        assertTrue(plugins.lines().anyMatch(l -> l.matches("driver +default +present +vagoth.virt .*")), plugins);
        assertTrue(plugins.lines().anyMatch(l -> l.matches("provisioner +template +active .*")), plugins);
        int service = plugins.lines().findFirst().orElseThrow().indexOf("SERVICE");
        assertTrue(plugins.lines().skip(1).allMatch(l -> l.length() > service && l.charAt(service - 1) == ' '
                && l.charAt(service) != ' '), "the columns stay aligned:\n" + plugins);
    }

    @Test
    void helpWorksWithoutAnyState() throws Exception {
        assertTrue(ok("--help").contains("commands:"));
        assertTrue(ok("help", "new").startsWith("usage: vagoth new"));
    }

    @Test
    void aMistypedCommandIsOfferedTheNearestAndTheVersionIsSaid() throws Exception {
        Result typo = vagoth("lsit");
        assertEquals(2, typo.status(), typo.toString());
        assertTrue(typo.err().startsWith("vagoth: unknown command 'lsit'; did you mean 'list'? (commands: cancel,"),
                typo.err());
        assertFalse(typo.err().contains("complete"), "the shell's completion helper is not offered: " + typo.err());
        Result far = vagoth("xyzzy");
        assertTrue(far.err().startsWith("vagoth: unknown command 'xyzzy' (commands: "), far.err());
        Result version = vagoth("--version");
        assertEquals(0, version.status(), version.toString());
        assertTrue(version.out().matches("vagoth " + java.util.regex.Pattern.quote(System.getProperty("vagoth.version"))
                + " \\((native|JVM) client\\)"), "this distribution's version, not a library's from the class path,"
                + " and the client that runs commands: " + version.out());
    }
}
