package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.testing.PostgresServer;

/**
 * Two daemons, each with its own home (as on two machines), and a one-shot
 * command share one registry on a real PostgreSQL server: what one changes,
 * the others see.
 */
@Timeout(300)
@Tag("postgres") // a PostgreSQL server of its own
class ScaleOutIT {
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    @TempDir
    Path dir;
    private final List<Process> daemons = new ArrayList<>();
    /** The homes this test made: what still runs of them (an agent a killed daemon left) is ended after it. */
    private final List<Path> homes = new ArrayList<>();

    record Result(int status, String out, String err) {
    }

    private static PostgresServer server() {
        return PG.server();
    }

    @AfterEach
    void stopDaemons() throws Exception {
        for (Process d : daemons) {
            d.destroyForcibly();
            d.waitFor(30, TimeUnit.SECONDS);
        }
        for (Path home : homes) {
            VagothProcess.endProcessesOf(home); // before the temporary directory they may still write in goes
        }
    }

    private static Path bin() {
        return Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth");
    }

    private static Result vagoth(Path home, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(bin().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        VagothProcess.Result r = VagothProcess.ended(pb.start(), 120, "bin/vagoth " + String.join(" ", args));
        return new Result(r.status(), r.out().strip(), r.err().strip());
    }

    /** A home whose registry is the shared database, as the README's Scale out section sets it up. */
    private Path home(String name) throws Exception {
        return usePostgres(configured(name, server().url()));
    }

    /** A new home (its own defaults, the file registry active) that also knows the database at {@code url}. */
    private Path configured(String name, String url) throws Exception {
        homes.add(dir.resolve(name));
        Path home = dir.resolve(name);
        assertEquals(0, vagoth(home, "list").status()); // creates the home with its defaults
        Files.writeString(home.resolve("etc/vagoth.postgres.cfg"), "url = " + url + "\nuser = " + server().user() + "\n");
        return home;
    }

    private static Path usePostgres(Path home) throws IOException {
        Path cfg = home.resolve("etc/vagoth.manager.cfg");
        Files.writeString(cfg, Files.readString(cfg).replace("registry.target = (vagoth.registry=file)",
                "registry.target = (vagoth.registry=postgres)").replace("jobs.target = (vagoth.jobs=file)",
                "jobs.target = (vagoth.jobs=postgres)"));
        return home;
    }

    private static String newDatabase(String name) throws Exception {
        return server().database(name);
    }

    @Test
    void anInstallationMovesFromItsFileRegistryToPostgres() throws Exception {
        Path home = configured("moving", newDatabase("moving"));
        assertEquals(0, vagoth(home, "new", "vm1", "ram=512").status());
        assertEquals(0, vagoth(home, "define", "--hint", "hyper1", "vm1").status());
        Result copied = vagoth(home, "copy-registry", "--to", "postgres");
        assertEquals(new Result(0, "copy-registry: OK (copied 2 node(s) and 0 blob(s) from file to postgres; 1 job"
                + " record(s), verified)", ""), copied);
        Result again = vagoth(home, "copy-registry", "--to", "postgres");
        assertEquals(1, again.status());
        assertTrue(again.err().contains("already holds 2 node(s); nothing was copied"), again.err());
        usePostgres(home);
        assertTrue(vagoth(home, "list", "vm1").out().contains("parent=hyper1"), "the copy keeps who runs where");
        Result history = vagoth(home, "jobs");
        assertTrue(history.out().contains("define") && history.out().contains("done"), "the job history moved: "
                + history);
        assertEquals(2, vagoth(home, "copy-registry").status(), "--to is required");
    }

    private void daemon(Path home) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(bin().toString(), "daemon").redirectErrorStream(true)
                .redirectOutput(home.resolveSibling(home.getFileName() + "-daemon.log").toFile());
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        daemons.add(pb.start());
        Path socket = home.resolve("var/run/vagoth.sock");
        for (int i = 0; i < 600 && !Files.exists(socket); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(socket), "the daemon did not open its socket");
    }

    /** What {@code list NAME} prints in {@code home}, once it shows up (a notification's delay at most). */
    private static String awaitListed(Path home, String name) throws Exception {
        Result r = null;
        for (int i = 0; i < 50; i++) {
            r = vagoth(home, "list", name);
            if (!r.out().isEmpty()) {
                return r.out();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " never appeared in " + home + ": " + r);
    }

    @Test
    void twoDaemonsAndAOneShotSeeEachOthersChanges() throws Exception {
        Path a = home("a");
        Path b = home("b");
        assertEquals(new Result(0, "new: OK (vm1)", ""), vagoth(a, "new", "vm1", "ram=512")); // one-shot, no daemon
        daemon(a);
        daemon(b);
        assertTrue(awaitListed(b, "vm1").startsWith("vm1 "), "b's daemon loaded what the one-shot wrote");
        assertEquals(new Result(0, "new: OK (vm2)", ""), vagoth(a, "new", "vm2"));
        assertTrue(awaitListed(b, "vm2").startsWith("vm2 "), "b's daemon sees a's change");
        assertEquals(new Result(0, "rename: OK (web)", ""), vagoth(b, "rename", "vm2", "web"));
        assertTrue(awaitListed(a, "web").startsWith("web "), "a's daemon sees b's change");
        Result clash = vagoth(b, "new", "--name", "web", "vm3");
        assertEquals(1, clash.status(), "names are unique across daemons: " + clash);
        String plugins = vagoth(b, "plugins").out();
        assertTrue(plugins.lines().anyMatch(l -> l.matches("registry +postgres +active .*")), plugins);
        assertTrue(plugins.lines().anyMatch(l -> l.matches("job store +postgres +active .*")), plugins);
        // job records are shared: what a's daemon ran (and how it ended: no hypervisor is in the shared
        // registry to place vm1 on), b lists
        Result start = vagoth(a, "start", "vm1");
        assertEquals(1, start.status(), start.toString());
        String jobs = vagoth(b, "jobs", "--node", "vm1").out();
        assertTrue(jobs.contains("start") && jobs.contains("failed"), jobs);
    }

    /**
     * High availability with two daemons on PostgreSQL: the daemon that fenced a dead host (the recovery manager of
     * its hosts: it holds their poll leases) is SIGKILLed as the first of its host's VMs starts elsewhere; the other
     * takes the leases over and finishes: every VM runs elsewhere, each started once (the agents count their start
     * requests), none forgotten.
     */
    @Test
    void theRecoveryManagersDaemonKilledMidwayLeavesTheRestToTheOtherEachVmStartedOnce() throws Exception {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Path agent = Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent");
        // a host that stops answering once killed; each start request logged (host, VM), and slow once "slow"
        // exists, so that a kill lands in the middle of the recovery
        Path wrapper = fleet.resolve("agent");
        Files.writeString(wrapper, "#!/bin/sh\nd='" + fleet + "'\nh=\"$1\"; shift\n"
                + "[ -e \"$d/$h.dead\" ] && { echo \"ssh: connect to host $h: No route to host\" >&2; exit 255; }\n"
                + "IFS= read -r req\n"
                + "case \"$req\" in *'\"action\":\"start\"'*) echo \"$h $(printf '%s' \"$req\" | sed -n"
                + " 's/.*\"vm_name\":\"\\([^\"]*\\)\".*/\\1/p')\" >> \"$d/starts.log\"; [ -e \"$d/slow\" ] && sleep 8;; esac\n"
                + "printf '%s\\n' \"$req\" | exec '" + agent + "' --backend sim --state \"$d/$h\" --mem-total 16384"
                + " --cpus 8 \"$@\"\n");
        Path fence = fleet.resolve("fence");
        Files.writeString(fence, "#!/bin/sh\nd='" + fleet + "'\necho \"$1 $PPID\" >> \"$d/fenced.log\"\n"
                + "touch \"$d/$1.dead\"; rm -f \"$d/$1/vms/\"*.json\n");
        for (Path f : List.of(wrapper, fence)) {
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        String db = newDatabase("ha");
        List<Path> homes = new ArrayList<>();
        for (String name : List.of("ha-a", "ha-b")) {
            Path home = usePostgres(configured(name, db));
            Files.writeString(home.resolve("etc/vagoth.postgres.cfg"), "\npoll.lease.s = 5\n",
                    java.nio.file.StandardOpenOption.APPEND);
            Path manager = home.resolve("etc/vagoth.manager.cfg");
            Files.writeString(manager, Files.readString(manager).replace("(vagoth.scheduler=sync)",
                    "(vagoth.scheduler=thread)"));
            Files.writeString(home.resolve("etc/vagoth.monitor.cfg"), "\ninterval.s = 1\ngrace.s = 0\n",
                    java.nio.file.StandardOpenOption.APPEND);
            Files.writeString(home.resolve("etc/vagoth.ha.cfg"), "\nmin.missed.polls = 2\nbackoff.s = 1\n",
                    java.nio.file.StandardOpenOption.APPEND);
            Files.writeString(home.resolve("etc/vagoth.virt.cfg"), "\nfence.command = '" + fence + "' {name}\n",
                    java.nio.file.StandardOpenOption.APPEND);
            homes.add(home);
        }
        Path a = homes.get(0);
        Path b = homes.get(1);
        daemon(a);
        for (String hv : List.of("h1", "h2", "h3")) {
            Result r = vagoth(a, "new", "--type", "hv", hv, "driver=geats", "shared_storage=san1", "agent=/bin/sh '"
                    + wrapper + "' " + hv);
            assertEquals(0, r.status(), r.toString());
        }
        List<String> vms = List.of("v1", "v2", "v3", "v4");
        List<String> said = new ArrayList<>();
        Path starts = fleet.resolve("starts.log");
        for (String vm : vms) {
            for (String[] c : new String[][] {{"new", vm, "ram=512", "ha=restart"}, {"define", "--hint", "h1", vm},
                    {"start", vm}}) {
                Result r = vagoth(a, c);
                said.add(String.join(" ", c) + ": " + r);
                assertEquals(0, r.status(), String.join(" ", c) + ": " + r);
            }
        }
        for (String vm : vms) {
            assertEquals("vm on h1", vagoth(a, "list", vm).out().replaceAll(" +", " ")
                    .replaceAll("^v[0-9] state=(starting|running) type=vm parent=h1$", "vm on h1"), vm + ": "
                    + vagoth(a, "list").out() + "\n" + String.join("\n", said) + "\n" + vagoth(a, "jobs").out()
                    + "\n" + Files.readString(a.resolveSibling("ha-a-daemon.log")).lines().filter(l -> l.contains("v1"))
                    .toList() + "\n" + vagoth(a, "info", "v1").out() + "\n" + Files.readAllLines(starts));
        }
        daemon(b);
        int before = Files.readAllLines(starts).size();
        Files.createFile(fleet.resolve("slow")); // from now on a start takes 8 s: the survivor meets some in flight
        Files.createFile(fleet.resolve("h1.dead"));

        // the first start of the recovery: the daemon that fenced h1 is killed there and then
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (Files.readAllLines(starts).size() == before) {
            assertTrue(System.nanoTime() < deadline, "no recovery began: " + vagoth(b, "ha", "status"));
            Thread.sleep(50);
        }
        String[] fenced = Files.readString(fleet.resolve("fenced.log")).strip().split(" ");
        assertEquals("h1", fenced[0]);
        long manager = Long.parseLong(fenced[1]);
        Process killed = daemons.stream().filter(p -> p.pid() == manager).findFirst()
                .orElseThrow(() -> new AssertionError("the fence ran in no daemon of the test: " + manager));
        killed.destroyForcibly(); // SIGKILL
        assertTrue(killed.waitFor(30, TimeUnit.SECONDS));
        Path survivor = killed == daemons.get(0) ? b : a;

        // the other finishes: every VM runs on h2 or h3
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (true) {
            List<String> rows = new ArrayList<>();
            for (String vm : vms) {
                rows.add(vagoth(survivor, "list", vm).out().replaceAll(" +", " "));
            }
            if (rows.stream().allMatch(r -> r.matches("v[0-9] state=running type=vm parent=h[23]"))) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "not all recovered: " + rows + "\n"
                    + vagoth(survivor, "ha", "status").out());
            Thread.sleep(500);
        }
        List<String> all = Files.readAllLines(starts);
        List<String> recoveries = all.subList(before, all.size());
        for (String vm : vms) {
            assertEquals(1, recoveries.stream().filter(l -> l.endsWith(" " + vm)).count(), vm
                    + " was started once by the recovery: " + all + " (" + before + " before h1 died); its jobs: "
                    + vagoth(survivor, "jobs", "--node", vm).out() + "\n" + vagoth(survivor, "info", vm).out());
        }
        assertEquals(1, Files.readAllLines(fleet.resolve("fenced.log")).size(), "h1 was fenced once");
    }
}
