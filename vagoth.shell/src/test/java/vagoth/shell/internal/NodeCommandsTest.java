package vagoth.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.Node;
import vagoth.testing.TestManager;
import vagoth.testing.HypervisorType;
import vagoth.testing.TestProvisioner;
import vagoth.testing.MemoryRegistry;

class NodeCommandsTest {
    @TempDir
    Path dir;
    private MemoryRegistry registry;
    private NodeCommands cmd;
    private ShellCommands shell;

    @BeforeEach
    void setUp() {
        registry = new MemoryRegistry();
        TestManager manager = new TestManager("myuser", registry).provisioner(new TestProvisioner(registry))
                .nodeType("hv", new HypervisorType());
        cmd = new NodeCommands(manager);
        shell = new ShellCommands(manager);
    }

    @AfterEach
    void tearDown() {
    }

    private String snapshot() {
        return cmd.list(null, "--json");
    }

    @Test
    void theOriginalWalkthroughsFirstSteps() {
        assertEquals("new: OK (devnode1)", cmd._new("devnode1", "template=debian"));
        assertEquals("devnode1    state=unknown    type=vm  parent=", cmd.list(null, "devnode1"));
        assertEquals(Map.of("template", "debian"), registry.getNode("devnode1").definition());
    }

    @Test
    void anExactNameThatMatchesNothingIsSaidAGlobStaysQuiet() {
        cmd._new("devnode1");
        assertEquals("list: No node named devnode2. (devnode2)",
                assertThrows(CommandFailure.class, () -> cmd.list(null, "devnode2")).getMessage());
        assertEquals("list: No node named devnode1 matches the filters. (devnode1)", assertThrows(CommandFailure.class,
                () -> cmd.list(null, "--tenant", "acme", "devnode1")).getMessage());
        assertEquals(null, cmd.list(null, "web*"), "a glob that matches nothing prints nothing");
        assertEquals("devnode1    state=unknown    type=vm  parent=", cmd.list(null, "devnode1", "web*"));
    }

    @Test
    void controlCharactersInValuesCannotForgeOutputLines() {
        cmd._new("vm1", "note=ok\nvm2    state=running    type=vm  parent=", "colour=\u001b[31mred");
        registry.updateMetadata("vm1", Map.of("state", "up\nforged"), java.util.List.of());
        String list = cmd.list(null);
        assertEquals(1, list.lines().count(), list);
        assertEquals("vm1         state=up\\nforged    type=vm  parent=", list);
        String info = cmd.info(null, "vm1");
        assertEquals(false, info.contains("\u001b"), info);
        assertEquals(true, info.contains("note=ok\\nvm2    state=running"), info);
        assertEquals(true, info.contains("colour=\\u001b[31mred"), info);
        assertEquals(1, info.lines().filter(l -> l.contains("state=running")).count(), info);
    }

    @Test
    void columnsAlignAcrossTheListing() {
        cmd._new("hyper1", "--type", "hv");
        cmd._new("devnode10");
        registry.setParent("devnode10", "hyper1");
        registry.updateMetadata("devnode10", Map.of("state", "starting"), List.of());
        assertEquals(String.join("\n",
                "devnode10    state=starting    type=vm  parent=hyper1",
                "hyper1       state=unknown     type=hv  parent="), cmd.list(null));
        assertEquals(String.join("\n",
                "hyper1           state=unknown     type=hv  parent=",
                "    devnode10    state=starting    type=vm  parent=hyper1"), cmd.tree(null));
    }

    @Test
    void newTakesNameTypeTenantTagsAndDefinitionPairs() {
        cmd._new("--name", "web", "--type", "vm", "--tenant", "acme", "--tag", "role=web", "--tag", "ssd", "n1",
                "ram=512", "cmd=a=b");
        Node n = registry.getNode("n1");
        assertEquals("web", n.name());
        assertEquals("acme", n.tenant());
        assertEquals(Map.of("role", "web", "ssd", "true"), n.tags());
        assertEquals(Map.of("ram", "512", "cmd", "a=b"), n.definition());
    }

    @Test
    void listFiltersByEachCriterion() {
        cmd._new("hv1", "--type", "hv");
        cmd._new("a", "--tenant", "acme", "--tag", "role=web");
        cmd._new("b", "--tenant", "acme", "--tag", "role=db");
        cmd._new("c", "--tag", "ssd");
        registry.setParent("a", "hv1");
        registry.updateNode("c", vagoth.api.registry.NodeUpdate.builder().addKey("ip-10.0.0.9").state("running").build());
        assertEquals(List.of("a", "b"), names(cmd.list(null, "--tenant", "acme")));
        assertEquals(List.of("hv1"), names(cmd.list(null, "--type", "hv")));
        assertEquals(List.of("hv1"), names(cmd.listhv(null)));
        assertEquals(List.of("a", "b", "c"), names(cmd.listvm(null)));
        assertEquals(List.of("b"), names(cmd.list(null, "--tag", "role=db")));
        assertEquals(List.of("a", "b"), names(cmd.list(null, "--tag", "role")));
        assertEquals(List.of("c"), names(cmd.list(null, "--key", "ip-10.0.0.9")));
        assertEquals(List.of("c"), names(cmd.list(null, "--state", "running")));
        assertEquals(List.of("a"), names(cmd.list(null, "--parent", "hv1")));
        assertEquals(List.of("b", "c", "hv1"), names(cmd.list(null, "--parent=")));
        assertEquals(List.of("a", "c"), names(cmd.list(null, "a", "c*")));
        assertNull(cmd.list(null, "--tenant", "nobody"));
        assertTrue(cmd.list(null, "--json", "a").contains("\"tenant\": \"acme\""));
    }

    private static List<String> names(String listing) {
        return listing.lines().map(l -> l.substring(0, l.indexOf(' '))).toList();
    }

    @Test
    void setChangesNameTenantTagsAndState() {
        cmd._new("n1", "--tag", "old=1", "--tag", "keep=2");
        assertEquals("set: OK (web1)", cmd.set("--name", "web1", "--tenant", "acme", "--tag", "old=", "--tag", "new=3",
                "--state", "running", "n1"));
        Node n = registry.getNode("n1");
        assertEquals("web1", n.name());
        assertEquals("acme", n.tenant());
        assertEquals(Map.of("keep", "2", "new", "3"), n.tags());
        assertEquals("running", n.state());
        assertEquals("rename: OK (web2)", cmd.rename("web1", "web2"));
        assertEquals("web2", registry.getNode("n1").name());
    }

    @Test
    void infoShowsEverything() {
        cmd._new("hv1", "--type", "hv");
        cmd._new("vm1", "--tag", "role=web", "ram=512");
        registry.setParent("vm1", "hv1");
        String info = cmd.info(null, "vm1");
        assertTrue(info.contains("parent:     hv1"), info);
        assertTrue(info.contains("tags:       role=web"), info);
        assertTrue(info.contains("definition:\n    ram=512"), info);
        assertTrue(cmd.info(null, "hv1").contains("children:   vm1"));
        assertTrue(cmd.info(null, "--json", "hv1").contains("\"children\": [\n    \"vm1\"\n  ]"));
    }

    @Test
    void deleteGoesThroughTheProvisioner() {
        cmd._new("hv1", "--type", "hv");
        cmd._new("vm1");
        registry.setParent("vm1", "hv1");
        CommandFailure e = assertThrows(CommandFailure.class, () -> cmd.delete("vm1"));
        assertEquals("delete: Cannot deprovision node while it's still assigned to a parent (vm1)", e.getMessage());
        registry.removeParent("vm1");
        assertEquals("delete: OK (vm1)", cmd.delete("vm1"));
        assertFalse(registry.contains("vm1"));
    }

    @Test
    void badInputIsRefusedClearlyAndChangesNothing() {
        cmd._new("devnode1", "template=debian");
        String before = snapshot();
        assertFailure("new: Node id devnode1 is already in use (devnode1)", () -> cmd._new("devnode1"));
        assertFailure("new: Name devnode1 is already used by node devnode1 (as its id) (other)", () -> cmd._new("--name", "devnode1", "other"));
        assertFailure("new: Invalid node id 'bad name': it must match [A-Za-z0-9][A-Za-z0-9._-]{0,62} (bad name)",
                () -> cmd._new("bad name"));
        assertFailure("new: Invalid node id '-rf': it must match [A-Za-z0-9][A-Za-z0-9._-]{0,62} (-rf)", () -> cmd._new("-rf"));
        assertFailure("info: Node nosuch not found in registry. (nosuch)", () -> cmd.info(null, "nosuch"));
        assertFailure("rename: Node nosuch not found in registry. (nosuch)", () -> cmd.rename("nosuch", "x"));
        assertUsage("new: definition pair 'template' must be key=value", () -> cmd._new("n2", "template"));
        assertUsage("new: definition pair '=x' must be key=value", () -> cmd._new("n2", "=x"));
        assertUsage("new: definition key 'ram' is given twice", () -> cmd._new("n2", "ram=1", "ram=2"));
        assertUsage("new: missing arguments", () -> cmd._new());
        assertUsage("list: unknown option --bogus", () -> cmd.list(null, "--bogus"));
        assertUsage("list: option --tenant needs a value", () -> cmd.list(null, "--tenant"));
        assertUsage("info: option --json takes no value", () -> cmd.info(null, "--json=yes", "devnode1"));
        assertUsage("rename: too many arguments: c", () -> cmd.rename("a", "b", "c"));
        assertUsage("set: nothing to change", () -> cmd.set("devnode1"));
        assertUsage("help: unknown command 'frob'", () -> shell.help("frob"));
        assertFailure("rename: Invalid node name 'no way': it must match [A-Za-z0-9][A-Za-z0-9._-]{0,62} (devnode1)",
                () -> cmd.rename("devnode1", "no way"));
        assertEquals(before, snapshot());
    }

    private static void assertFailure(String message, Runnable r) {
        assertEquals(message, assertThrows(CommandFailure.class, r::run).getMessage());
    }

    private static void assertUsage(String firstLine, Runnable r) {
        UsageException e = assertThrows(UsageException.class, r::run);
        assertEquals(firstLine, e.getMessage().lines().findFirst().orElseThrow());
        assertTrue(e.getMessage().lines().skip(1).findFirst().orElseThrow().startsWith("usage: vagoth "), e.getMessage());
    }

    @Test
    void helpListsEveryCommandAndEachUsage() {
        String help = shell.help();
        for (String name : Commands.all().keySet()) {
            assertEquals(!name.equals("complete"), help.contains("  " + name + " "), name + " (the shell's own"
                    + " completion helper is not listed)");
            assertTrue(shell.help(name).startsWith("usage: vagoth " + name), name);
        }
        assertTrue(help.contains("    daemon [start | status | stop]  keep a container"), help);
        assertTrue(help.contains("    (no command)                    the interactive shell"), help);
        // one column for the summaries, however long a name
        assertEquals(1, help.lines().filter(l -> l.startsWith("    ")).map(l -> l.length() - l.substring(4)
                .replaceFirst("^(\\(no command\\)|\\S+( \\[[^]]*\\])?)\\s+", "").length()).distinct().count(), help);
    }

    @Test
    void completionOffersCommandsOptionsAndNamesButNotItself() {
        cmd._new("devnode1");
        cmd._new("--type", "hv", "hyper9");
        List<String> commands = List.of(shell.complete("").split("\n"));
        assertTrue(commands.contains("list") && commands.contains("copy-registry"), commands.toString());
        assertFalse(commands.contains("complete"), "the completion helper is the shell's own: " + commands);
        assertEquals("copy-registry", shell.complete("cop"));
        assertFalse(List.of(shell.complete("help", "").split("\n")).contains("complete"));
        assertEquals("--tenant", shell.complete("list", "--ten"));
        assertEquals("devnode1", shell.complete("start", "dev"));
        assertEquals("hyper9", shell.complete("define", "--hint", "hy"));
    }

    @Test
    void colourOnlyWhenAsked() {
        assertEquals("running", new Style(false).state("running"));
        assertEquals("\u001b[32mrunning\u001b[0m", new Style(true).state("running"));
    }
}
