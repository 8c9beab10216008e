package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real QEMU guests through {@code bin/vagoth}: two qemu agents on this
 * machine as two hosts, the {@code tiny} guest built by
 * {@code bin/vagoth-tiny-guest} from Debian's packages, under TCG. The guest
 * prints a counter on its serial line every 100 ms: a live migration keeps
 * it counting (the destination's serial log goes on from where the
 * source's stopped, never from 0). Needs root and QEMU; CI must run it.
 */
@Timeout(900)
@Tag("root")
@Tag("lxc")
@Tag("slow") // QEMU guests, an LXC container and network namespaces
class QemuIT {
    /** The tiny guest's kernel and initramfs, built once for the class. */
    @TempDir
    static Path images;
    @TempDir
    Path dir;
    private Path home;

    @BeforeAll
    static void buildTheTinyGuest() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean ready = "root".equals(System.getProperty("user.name"))
                && Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"));
        if (!ci) {
            assumeTrue(ready, "QEMU end-to-end test skipped: it needs root and qemu-system-x86 (apt-get install"
                    + " qemu-system-x86 qemu-utils genisoimage)");
        }
        assertTrue(ready, "CI must run the QEMU test: .ci/run installs QEMU and runs as root");
        Result r = run(null, 600, dist().resolve("bin/vagoth-tiny-guest").toString(), images.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.size(images.resolve("initrd.img")) > 0 && Files.size(images.resolve("vmlinuz")) > 0);
    }

    @BeforeEach
    void home() throws IOException {
        home = Files.createDirectories(dir.resolve("home"));
    }

    @AfterEach
    void endEveryProcessOfTheHome() throws Exception {
        VagothProcess.endProcessesOf(home); // the QEMUs too: they have the home in their environment
    }

    record Result(int status, String out, String err) {
    }

    private static Path dist() {
        return Path.of(System.getProperty("vagoth.dist"));
    }

    private static Result run(Path home, int timeoutS, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (home != null) {
            pb.environment().put("VAGOTH_HOME", home.toString());
            pb.environment().put("VAGOTH_NO_AUTOSTART", "1");
        }
        Process p = pb.start();
        java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(timeoutS, TimeUnit.SECONDS), String.join(" ", cmd) + " did not end");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip(),
                new String(err.join(), StandardCharsets.UTF_8).strip());
    }

    private Result vagothResult(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(dist().resolve("bin/vagoth").toString());
        cmd.addAll(List.of(args));
        return run(home, 300, cmd.toArray(String[]::new));
    }

    private String vagoth(String... args) throws Exception {
        Result r = vagothResult(args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + ": " + r.err());
        return r.out();
    }

    /** Two qemu hosts; {@code shared}: their disks in one directory, and the same shared_storage. */
    private void twoHosts(boolean shared) throws Exception {
        String agent = dist().resolve("bin/vagoth-agent") + " --backend qemu --shutdown-timeout 5 --state ";
        String disks = shared ? " --disks " + dir.resolve("shared") : "";
        String storage = shared ? "shared_storage=s1" : "shared_storage=";
        assertEquals("new: OK (qa); polled: up", vagoth("new", "--type", "hv", "qa", "driver=geats",
                "agent=" + agent + dir.resolve("qa") + disks, storage));
        assertEquals("new: OK (qb); polled: up", vagoth("new", "--type", "hv", "qb", "driver=geats",
                "agent=" + agent + dir.resolve("qb") + disks, storage));
        vagoth("maintenance", "hyper1", "on"); // the home's simulated host takes no guest of these tests
    }

    private void newGuest(String name, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("new", name, "template=tiny", "kernel=" + images.resolve("vmlinuz"),
                "initrd=" + images.resolve("initrd.img"), "append=console=ttyS0 quiet vagoth.tick=1"));
        args.addAll(List.of(extra));
        assertEquals("new: OK (" + name + ")", vagoth(args.toArray(String[]::new)));
    }

    private static final Pattern TICK = Pattern.compile("tick ([0-9]+)");

    /** The counts the guest printed on its serial line at {@code host}, in order. */
    private List<Integer> ticks(String host, String vm) throws IOException {
        Path log = dir.resolve(host).resolve(vm).resolve("serial.log");
        List<Integer> out = new ArrayList<>();
        if (!Files.exists(log)) {
            return out;
        }
        Matcher m = TICK.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private List<Integer> awaitTicks(String host, String vm, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            List<Integer> t = ticks(host, vm);
            if (t.size() >= atLeast) {
                return t;
            }
            assertTrue(System.nanoTime() < deadline, "the guest on " + host + " printed " + t.size() + " ticks in 180 s");
            Thread.sleep(100);
        }
    }

    /** The guest kept counting across the move: the destination's first count follows the source's last. */
    private void countedOn(List<Integer> before, String host, String vm) throws Exception {
        List<Integer> after = awaitTicks(host, vm, 10);
        int last = before.get(before.size() - 1);
        assertTrue(after.get(0) > last, "the count at " + host + " began at " + after.get(0) + ", not after " + last
                + ": the guest restarted");
        for (int i = 1; i < after.size(); i++) {
            assertEquals(after.get(i - 1) + 1, after.get(i), "the count at " + host + " skipped or restarted");
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private Long qemuPid(String host, String vm) throws IOException {
        Path pid = dir.resolve(host).resolve(vm).resolve("qemu.pid");
        if (!Files.exists(pid)) {
            return null;
        }
        long p = Long.parseLong(Files.readString(pid).trim());
        return ProcessHandle.of(p).filter(ProcessHandle::isAlive).map(h -> p).orElse(null);
    }

    @Test
    void aGuestMigratesLiveOnSharedStorageAndKeepsCounting() throws Exception {
        twoHosts(true);
        newGuest("devnode1");
        assertEquals("define: OK (devnode1)", vagoth("define", "--hint", "qa", "devnode1"));
        assertEquals("start: OK (devnode1)", vagoth("start", "devnode1"));
        vagoth("poll");
        assertEquals("devnode1    state=running    type=vm  parent=qa", vagoth("list", "devnode1"));
        List<Integer> before = awaitTicks("qa", "devnode1", 10);
        long sourcePid = qemuPid("qa", "devnode1");

        String plan = vagoth("migrate", "--dry-run", "--live", "devnode1", "qb");
        assertTrue(plan.contains("live: the guest keeps running; they share storage s1"), plan);
        assertEquals("migrate: OK (devnode1)", vagoth("migrate", "--live", "devnode1", "qb"));
        assertEquals("devnode1    state=running    type=vm  parent=qb", vagoth("list", "devnode1"));
        countedOn(ticks("qa", "devnode1"), "qb", "devnode1");
        assertFalse(ProcessHandle.of(sourcePid).map(ProcessHandle::isAlive).orElse(false), "the source ended");
        String job = vagoth("job", vagoth("jobs", "--json").replaceAll("(?s).*?\"id\": ?\"([0-9a-f]+)\".*", "$1"));
        assertTrue(job.contains("migrating live from qa to qb (they share storage)") && job.contains("downtime"), job);
        assertTrue(before.size() >= 10);
        vagoth("poll");
        assertEquals("devnode1    state=running    type=vm  parent=qb", vagoth("list", "devnode1"));

        // evacuate --live moves what can go live while it runs
        String plan2 = vagoth("evacuate", "--dry-run", "--live", "qb");
        assertTrue(plan2.contains("devnode1 -> qa (live)"), plan2);
        List<Integer> onB = ticks("qb", "devnode1");
        String evacuated = vagoth("evacuate", "--live", "qb");
        assertTrue(evacuated.contains("devnode1 -> qa (live): moved"), evacuated);
        assertEquals("devnode1    state=running    type=vm  parent=qa", vagoth("list", "devnode1"));
        List<Integer> again = awaitTicks("qa", "devnode1", before.size() + 10);
        assertTrue(again.get(again.size() - 1) > onB.get(onB.size() - 1), "it kept counting on its way back");
    }

    @Test
    void aGuestMigratesLiveWithItsDiskCopiedAndKeepsCounting() throws Exception {
        twoHosts(false);
        Path base = dir.resolve("base.qcow2");
        assertEquals(0, run(null, 60, "qemu-img", "create", "-f", "qcow2", base.toString(), "256M").status());
        assertEquals(0, run(null, 60, "qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 32M", base.toString())
                .status());
        newGuest("devnode2", "image=" + base);
        vagoth("define", "--hint", "qa", "devnode2");
        vagoth("start", "devnode2");
        vagoth("poll");
        List<Integer> before = awaitTicks("qa", "devnode2", 10); // the source's log goes with its files
        assertEquals("migrate: OK (devnode2)", vagoth("migrate", "--live", "devnode2", "qb"));
        assertEquals("devnode2    state=running    type=vm  parent=qb", vagoth("list", "devnode2"));
        countedOn(before, "qb", "devnode2");
        assertFalse(Files.exists(dir.resolve("qa/devnode2")), "the source's disk and files are removed");
        // the copy is whole: what the overlay's base held reads the same from the destination's standalone copy
        vagoth("stop", "devnode2");
        Result cmp = run(null, 120, "qemu-img", "compare", "-F", "qcow2", base.toString(),
                dir.resolve("qb/devnode2/disk.qcow2").toString());
        assertEquals(0, cmp.status(), cmp.out() + cmp.err());
    }

    @Test
    void aMigrationWhoseDestinationDiesLeavesTheGuestRunningAtTheSourceOnce() throws Exception {
        twoHosts(false);
        slowMigrations("1"); // caught half-way: 1 MiB/s for a guest whose memory holds its kernel and initramfs
        long source = runningOnQa("devnode3");
        Path said = dir.resolve("migrate.out");
        Process migrate = migrateInBackground("devnode3", said);
        long dest = awaitDestination("devnode3", migrate, said);
        Thread.sleep(1000); // under way
        ProcessHandle.of(dest).orElseThrow().destroyForcibly();
        assertTrue(migrate.waitFor(120, TimeUnit.SECONDS));
        String out = read(said);
        assertNotEquals(0, migrate.exitValue(), out);
        assertTrue(out.contains("live migration of devnode3 from qa to qb failed") && out.contains("it runs on qa"),
                out);
        assertEquals(source, qemuPid("qa", "devnode3"), "the same QEMU runs the guest at the source");
        assertFalse(Files.exists(dir.resolve("qb/devnode3")), "nothing is left at the destination");
        vagoth("poll");
        assertEquals("devnode3    state=running    type=vm  parent=qa", vagoth("list", "devnode3"));
        List<Integer> t = ticks("qa", "devnode3");
        int last = t.get(t.size() - 1);
        awaitTicks("qa", "devnode3", t.size() + 5);
        assertTrue(ticks("qa", "devnode3").get(t.size() + 4) > last, "it kept counting at the source");
    }

    @Test
    void aDeadQemuIsStoppedWithItsReason() throws Exception {
        twoHosts(true);
        newGuest("devnode4");
        vagoth("define", "--hint", "qa", "devnode4");
        vagoth("start", "devnode4");
        awaitTicks("qa", "devnode4", 3);
        vagoth("poll");
        assertEquals("devnode4    state=running    type=vm  parent=qa", vagoth("list", "devnode4"));
        long pid = qemuPid("qa", "devnode4");
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        h.destroyForcibly();
        h.onExit().get(30, TimeUnit.SECONDS);
        vagoth("poll");
        assertEquals("devnode4    state=stopped    type=vm  parent=qa", vagoth("list", "devnode4"));
        String shown = vagoth("info", "devnode4");
        assertTrue(shown.contains("crashed: QEMU (pid " + pid + ") ended without being asked"), shown);
    }

    @Test
    void theConsoleAttachesTheTerminalToTheGuestsSerialLine() throws Exception {
        ApiDaemon api = ApiDaemon.start(home, ""); // the commands below go through it; an operator attaches remotely
        twoHosts(true);
        assertEquals("new: OK (devnode5)", vagoth("new", "devnode5", "template=tiny", "kernel="
                + images.resolve("vmlinuz"), "initrd=" + images.resolve("initrd.img"), "append=console=ttyS0 quiet"));
        vagoth("define", "--hint", "qa", "devnode5");
        vagoth("start", "devnode5");
        Path log = dir.resolve("qa/devnode5/serial.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!read(log).contains("tiny guest devnode5 up")) {
            assertTrue(System.nanoTime() < deadline, "the guest did not come up: " + read(log));
            Thread.sleep(200);
        }
        try (Tmux t = new Tmux(dir, java.util.Map.of("VAGOTH_HOME", home.toString(), "VAGOTH_NO_AUTOSTART", "1"),
                dist().resolve("bin/vagoth") + " console devnode5")) {
            t.await("the console attached", x -> x.contains("Ctrl-] leaves"));
            int from = t.screen().length();
            t.line("echo answer-$((6*7)) from $(hostname)");
            t.awaitAfter(from, "answer-42 from devnode5"); // the guest's shell ran it: its hostname from the seed
            t.keys("C-]");
            t.await("the console left", x -> x.contains("left the console of devnode5") && x.contains("[exited 0]"));
        }
        // the end of its serial log, as the daemon asks the agent for it (the console page shows it): the answer
        // typed above is there, the guest's control sequences (its shell's prompt) are not
        Process agent = new ProcessBuilder(dist().resolve("bin/vagoth-agent").toString(), "--backend", "qemu",
                "--state", dir.resolve("qa").toString()).start();
        agent.getOutputStream().write("{\"action\": \"serial_log\", \"data\": {\"vm_name\": \"devnode5\", \"lines\": 5}}\n"
                .getBytes(StandardCharsets.UTF_8));
        agent.getOutputStream().close();
        String answer = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(agent.waitFor(60, TimeUnit.SECONDS));
        com.google.gson.JsonArray lines = com.google.gson.JsonParser.parseString(answer).getAsJsonObject()
                .getAsJsonObject("data").getAsJsonArray("lines");
        assertTrue(lines.size() <= 5 && lines.toString().contains("answer-42 from devnode5"), answer);
        assertFalse(lines.toString().contains("\\u001b"), "no escape sequence is passed on: " + answer);
        // the console's migrate dialog offers a live move when the plan says both hosts can
        vagoth("poll"); // both hosts' accelerator known
        String operator = api.token("operator");
        java.net.http.HttpResponse<String> plan = api.call("GET", "/api/v1/vms/devnode5/plan?to=qb", operator);
        assertTrue(JsonText.object(plan.body()).get("live").getAsBoolean(), plan.body());
        // through the API, as an operator elsewhere would (the agent's command line runs where the operator is)
        String remote = dist().resolve("bin/vagoth") + " --remote https://127.0.0.1:" + api.port + " --fingerprint "
                + api.fingerprint() + " console devnode5";
        try (Tmux t = new Tmux(dir, java.util.Map.of("VAGOTH_TOKEN", operator, "VAGOTH_HOME",
                dir.resolve("elsewhere").toString()), remote)) {
            t.await("the console attached over the API", x -> x.contains("Ctrl-] leaves"));
            int from = t.screen().length();
            t.line("echo remote-$((6*7))");
            t.awaitAfter(from, "remote-42");
            t.keys("C-]");
            t.await("the console left", x -> x.contains("left the console of devnode5") && x.contains("[exited 0]"));
        }
        try (Tmux t = new Tmux(dir, java.util.Map.of("VAGOTH_TOKEN", api.token("viewer"), "VAGOTH_HOME",
                dir.resolve("elsewhere").toString()), remote)) {
            String refused = t.await("a viewer refused", x -> x.contains("[exited "));
            assertTrue(refused.contains("(403)") && !refused.contains("Ctrl-] leaves"), refused);
        }
        // an unknown VM: one line, nothing attached
        Result r = vagothResult("console", "nonesuch");
        assertNotEquals(0, r.status());
        assertTrue(r.err().contains("nonesuch"), r.err());
    }

    /**
     * The original walkthrough, for real: a bridge in a network namespace of the test's own, the template
     * provisioner's dnsmasq serving DHCP and DNS on it, two qemu hosts whose agents run in that namespace; the
     * guest takes its provisioned address by DHCP, answers ssh by its name, and keeps answering after a live
     * migration. Then the same with an LXC container of the {@code tiny-lxc} template on that bridge.
     */
    @Test
    void theWalkthroughEndsWithSshIntoTheNewGuestByName() throws Exception {
        String ns = "vgt" + ProcessHandle.current().pid() % 100000 + "x" + (System.nanoTime() % 1000);
        Path netnsEtc = Path.of("/etc/netns", ns);
        Path shared = Files.createTempDirectory("vagoth-walk-"); // readable by dnsmasq once it dropped root
        Path lxcpath = dir.resolve("la");
        Path inNamespace = lxcNamespace();
        Process dnsmasq = null;
        try {
            for (String[] c : new String[][] {{"ip", "netns", "add", ns}, {"ip", "-n", ns, "link", "set", "lo", "up"},
                    {"ip", "-n", ns, "link", "add", "br0", "type", "bridge"},
                    {"ip", "-n", ns, "addr", "add", "10.77.0.1/24", "dev", "br0"},
                    {"ip", "-n", ns, "link", "set", "br0", "up"}}) {
                Result r = run(null, 30, c);
                assertEquals(0, r.status(), String.join(" ", c) + ": " + r.err());
            }
            Files.createDirectories(netnsEtc);
            Files.writeString(netnsEtc.resolve("resolv.conf"), "nameserver 10.77.0.1\nsearch vagoth.test\n");
            Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            vagoth("list"); // the home, with its defaults
            Path manager = home.resolve("etc/vagoth.manager.cfg");
            Files.writeString(manager, Files.readString(manager).replace("(vagoth.provisioner=basic)",
                    "(vagoth.provisioner=template)"));
            Path cfg = home.resolve("etc/vagoth.provisioner.template.cfg");
            Path pid = shared.resolve("dnsmasq.pid");
            Files.writeString(cfg, Files.readString(cfg).replace("10.0.0.0/24", "10.77.0.0/24")
                    .replace("gateway = 10.0.0.1", "gateway = 10.77.0.1").replace("10.0.0.10-10.0.0.250",
                            "10.77.0.10-10.77.0.50").replace("domain = vagoth.local", "domain = vagoth.test")
                    .replace("dnsmasq.dir =", "dnsmasq.dir = " + shared.resolve("vagoth"))
                    .replace("dnsmasq.pidfile =", "dnsmasq.pidfile = " + pid));
            String agent = "ip netns exec " + ns + " " + dist().resolve("bin/vagoth-agent")
                    + " --backend qemu --shutdown-timeout 5 --disks " + dir.resolve("shared") + " --state ";
            vagoth("new", "--type", "hv", "qa", "driver=geats", "agent=" + agent + dir.resolve("qa"),
                    "shared_storage=s1");
            vagoth("new", "--type", "hv", "qb", "driver=geats", "agent=" + agent + dir.resolve("qb"),
                    "shared_storage=s1");
            Path key = dir.resolve("id_ed25519");
            assertEquals(0, run(null, 60, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                    .status());
            String pub = Files.readString(dir.resolve("id_ed25519.pub")).trim();
            assertEquals("new: OK (devnode1)", vagoth("new", "devnode1", "template=tiny", "kernel="
                    + images.resolve("vmlinuz"), "initrd=" + images.resolve("initrd.img"),
                    "append=console=ttyS0 quiet vagoth.tick=1", "bridge=br0", "ssh_authorized_keys=" + pub));
            String shown = vagoth("info", "devnode1");
            Matcher ip = Pattern.compile("ip=(10\\.77\\.0\\.[0-9]+)").matcher(shown);
            assertTrue(ip.find(), shown);
            // dnsmasq as the README starts it, on the namespace's bridge, serving the provisioner's files
            dnsmasq = new ProcessBuilder("ip", "netns", "exec", ns, "/usr/sbin/dnsmasq", "--keep-in-foreground",
                    "--conf-file=/dev/null", "--interface=br0", "--bind-interfaces", "--no-resolv", "--no-hosts",
                    "--user=nobody", "--hostsdir=" + shared.resolve("vagoth/hosts.d"),
                    "--dhcp-hostsdir=" + shared.resolve("vagoth/dhcp-hosts.d"), "--dhcp-range=10.77.0.0,static",
                    "--dhcp-option=option:router,10.77.0.1", "--domain=vagoth.test", "--local=/vagoth.test/",
                    "--dhcp-leasefile=" + shared.resolve("leases"), "--pid-file=" + pid,
                    "--log-facility=" + shared.resolve("dnsmasq.log")).redirectErrorStream(true)
                    .redirectOutput(shared.resolve("dnsmasq.out").toFile()).start();
            assertEquals("define: OK (devnode1)", vagoth("define", "--hint", "qa", "devnode1"));
            assertEquals("start: OK (devnode1)", vagoth("start", "devnode1"));
            vagoth("poll");
            assertEquals("devnode1    state=running    type=vm  parent=qa", vagoth("list", "devnode1"));

            List<String> ssh = ssh(ns, key, "devnode1");
            String routes = awaitSsh(ssh, shared);
            assertTrue(routes.contains("default via 10.77.0.1"), routes);
            assertTrue(routes.contains("src " + ip.group(1)), "the provisioned address: " + routes);

            List<Integer> before = awaitTicks("qa", "devnode1", 10);
            assertEquals("migrate: OK (devnode1)", vagoth("migrate", "--live", "devnode1", "qb"));
            assertEquals("devnode1    state=running    type=vm  parent=qb", vagoth("list", "devnode1"));
            countedOn(before, "qb", "devnode1");
            String after = awaitSsh(ssh, shared);
            assertTrue(after.contains("src " + ip.group(1)), "the same guest answers after the move: " + after);

            assertEquals("deprovision: OK (devnode1)", vagoth("deprovision", "devnode1"));
            assertEquals("delete: OK (devnode1)", vagoth("delete", "devnode1"));
            assertFalse(Files.exists(dir.resolve("qb/devnode1")));

            // the same walkthrough with an LXC container on that bridge: its provisioned address by DHCP, ssh by name
            vagoth("new", "--type", "hv", "la", "driver=geats", "agent=" + inNamespace + " " + ns + " "
                    + dist().resolve("bin/vagoth-agent") + " --backend lxc --lxcpath " + lxcpath);
            assertEquals("new: OK (devct1)", vagoth("new", "devct1", "template=tiny-lxc", "image="
                    + images.resolve("rootfs.tar.gz"), "bridge=br0", "ssh_authorized_keys=" + pub));
            Matcher ctIp = Pattern.compile("ip=(10\\.77\\.0\\.[0-9]+)").matcher(vagoth("info", "devct1"));
            assertTrue(ctIp.find());
            assertEquals("define: OK (devct1)", vagoth("define", "--hint", "la", "devct1"));
            assertEquals("start: OK (devct1)", vagoth("start", "devct1"));
            vagoth("poll");
            assertEquals("devct1 state=running type=vm parent=la", vagoth("list", "devct1").replaceAll(" +", " "));
            String ctRoutes = awaitSsh(ssh(ns, key, "devct1"), shared);
            assertTrue(ctRoutes.contains("default via 10.77.0.1"), ctRoutes);
            assertTrue(ctRoutes.contains("src " + ctIp.group(1)), "the provisioned address: " + ctRoutes);
            assertEquals("stop: OK (devct1)", vagoth("stop", "devct1"));
            assertEquals("deprovision: OK (devct1)", vagoth("deprovision", "devct1"));
            assertEquals("delete: OK (devct1)", vagoth("delete", "devct1"));
            assertFalse(Files.exists(lxcpath.resolve("devct1")));
        } finally {
            if (dnsmasq != null) {
                dnsmasq.destroy();
                dnsmasq.waitFor(10, TimeUnit.SECONDS);
            }
            VagothProcess.endProcessesOf(home); // the guests' QEMUs, before their namespace goes
            run(null, 60, inNamespace.toString(), ns, "lxc-stop", "-P", lxcpath.toString(), "-n", "devct1", "-k");
            run(null, 60, inNamespace.toString(), ns, "lxc-destroy", "-P", lxcpath.toString(), "-n", "devct1");
            run(null, 30, "ip", "netns", "del", ns);
            run(null, 30, "rm", "-rf", netnsEtc.toString(), shared.toString());
        }
    }

    /**
     * A script that runs a command in a network namespace as LXC needs it: {@code ip netns exec} mounts the
     * namespace's sysfs without the cgroup file systems under it, where lxc-start puts its containers; this one
     * moves them onto the new sysfs. (LXC's command sockets are the namespace's own: lxc-info and lxc-stop too run
     * in it.)
     */
    private Path lxcNamespace() throws IOException {
        Path script = dir.resolve("in-namespace");
        Files.writeString(script, """
                #!/bin/sh
                ns="$1"; shift
                exec nsenter --net="/var/run/netns/$ns" unshare -m --propagation private sh -c '
                d=$(mktemp -d) && mount --rbind /sys/fs/cgroup "$d" && mount -t sysfs sysfs /sys &&
                mount --move "$d" /sys/fs/cgroup && rmdir "$d" && exec "$@"' sh "$@"
                """);
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** ssh in the namespace {@code ns} to root at {@code host} (resolved there), asking for its routes. */
    private static List<String> ssh(String ns, Path key, String host) {
        return List.of("ip", "netns", "exec", ns, "ssh", "-i", key.toString(), "-o", "BatchMode=yes", "-o",
                "ConnectTimeout=5", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o",
                "LogLevel=ERROR", "root@" + host, "ip", "route", "list"); // busybox's ip: no "ls"
    }

    /** Runs ssh until the guest answers (it boots, takes its lease, makes its host key: a minute under TCG). */
    private static String awaitSsh(List<String> ssh, Path shared) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        Result r;
        while ((r = run(null, 60, ssh.toArray(String[]::new))).status() != 0) {
            assertTrue(System.nanoTime() < deadline, "ssh never answered: " + r.err() + "; dnsmasq: "
                    + read(shared.resolve("dnsmasq.log")));
            Thread.sleep(1000);
        }
        return r.out();
    }

    /** A tiny guest {@code vm} defined and started on qa, polled, counting: the pid of its QEMU. */
    private long runningOnQa(String vm) throws Exception {
        runningOnQa(List.of(vm));
        return qemuPid("qa", vm);
    }

    /** Tiny guests defined and started on qa, booting together, polled, each counting. */
    private void runningOnQa(List<String> vms) throws Exception {
        for (String vm : vms) {
            newGuest(vm);
            vagoth("define", "--hint", "qa", vm);
            vagoth("start", vm);
        }
        vagoth("poll");
        for (String vm : vms) {
            awaitTicks("qa", vm, 10);
        }
    }

    /** A migration started in the background; its output in a file. */
    private Process migrateInBackground(String vm, Path said) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(dist().resolve("bin/vagoth").toString(), "migrate", "--live", vm, "qb")
                .redirectErrorStream(true).redirectOutput(said.toFile());
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1");
        return pb.start();
    }

    /** Waits until the destination's QEMU runs (the migration is under way). */
    private long awaitDestination(String vm, Process migrate, Path said) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Long dest;
        while ((dest = qemuPid("qb", vm)) == null) {
            assertTrue(System.nanoTime() < deadline && migrate.isAlive(), () -> "the destination never started: "
                    + read(said));
            Thread.sleep(50);
        }
        return dest;
    }

    private void slowMigrations(String bandwidth) throws IOException {
        Files.writeString(home.resolve("etc/vagoth.virt.cfg"), "allocator.target = (vagoth.allocator=capacity)\n"
                + "live.bandwidth.mib.s = " + bandwidth + "\n");
    }

    @Test
    void jobCancelStopsALiveMigrationUnderWayAndTheGuestRunsOnAtTheSource() throws Exception {
        twoHosts(false);
        slowMigrations("1");
        long source = runningOnQa("devnode6");
        Path said = dir.resolve("migrate.out");
        Process migrate = migrateInBackground("devnode6", said);
        awaitDestination("devnode6", migrate, said);
        String jobs = vagoth("jobs", "--json");
        Matcher running = Pattern.compile("\"id\": ?\"([0-9a-f]+)\"[^}]*?\"state\": ?\"running\"").matcher(jobs);
        assertTrue(running.find(), jobs);
        String asked = vagoth("cancel", running.group(1));
        assertTrue(asked.startsWith("cancel: asked (" + running.group(1) + " is a live migration under way"), asked);
        assertTrue(migrate.waitFor(120, TimeUnit.SECONDS));
        String out = read(said);
        assertNotEquals(0, migrate.exitValue(), out);
        assertTrue(out.contains("was cancelled by request") && out.contains("it runs on qa"), out);
        assertEquals(source, qemuPid("qa", "devnode6"), "the same QEMU runs the guest at the source");
        assertFalse(Files.exists(dir.resolve("qb/devnode6")), "nothing is left at the destination");
        vagoth("poll");
        assertEquals("devnode6    state=running    type=vm  parent=qa", vagoth("list", "devnode6"));
        int seen = ticks("qa", "devnode6").size();
        awaitTicks("qa", "devnode6", seen + 5); // it goes on counting
    }

    /** On a terminal, evacuate shows a progress line for each migration while it runs, and clears them. */
    @Test
    void evacuateShowsEachMigrationsProgressOnATerminalAndClearsIt() throws Exception {
        twoHosts(true);
        slowMigrations("16"); // seconds each: long enough to be seen, short enough for the suite
        runningOnQa(List.of("devnode8", "devnode9"));
        try (Tmux t = new Tmux(dir, java.util.Map.of("VAGOTH_HOME", home.toString(), "VAGOTH_NO_AUTOSTART", "1"),
                dist().resolve("bin/vagoth") + " evacuate --live qa")) {
            Pattern line = Pattern.compile("migrate (devnode[89]): memory [0-9]+ MiB sent, [0-9]+ MiB left");
            java.util.Set<String> seen = new java.util.TreeSet<>();
            String end = t.await("a progress line for each VM, then the end", s -> {
                Matcher m = line.matcher(s);
                while (m.find()) {
                    seen.add(m.group(1));
                }
                return s.contains("[exited ");
            });
            assertEquals(java.util.Set.of("devnode8", "devnode9"), seen, end);
            assertTrue(end.contains("evacuate: 2 moved, 0 failed, 0 could not be placed"), end);
            assertFalse(end.contains("MiB left"), "the progress lines were cleared: " + end);
            assertTrue(end.lines().anyMatch(l -> l.startsWith("vagoth: txid=") && l.endsWith("vm=devnode9")),
                    "the second migration's log line has a line of its own: " + end);
        }
        vagoth("poll");
        assertEquals("devnode9 state=running type=vm parent=qb", vagoth("list", "devnode9").replaceAll(" +", " "));
    }

    @Test
    void aDaemonKilledInTheMiddleOfALiveMigrationLeavesWhatPollRepairs() throws Exception {
        twoHosts(true);
        slowMigrations("4");
        runningOnQa("devnode7");
        Process daemon = startDaemon();
        Path said = dir.resolve("migrate.out");
        Process migrate = migrateInBackground("devnode7", said); // handed to the daemon
        awaitDestination("devnode7", migrate, said);
        daemon.destroyForcibly(); // SIGKILL, in the middle
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        migrate.waitFor(60, TimeUnit.SECONDS);
        assertEquals("devnode7    state=migrating    type=vm  parent=qa", vagoth("list", "devnode7"));
        // whichever end runs the guest when poll looks wins; the other is ended once that is confirmed
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String listed;
        do {
            Thread.sleep(1000);
            vagoth("poll");
            listed = vagoth("list", "devnode7");
            assertTrue(System.nanoTime() < deadline, "poll never settled it: " + listed);
        } while (listed.contains("migrating"));
        String host = listed.contains("parent=qb") ? "qb" : "qa";
        assertEquals("devnode7    state=running    type=vm  parent=" + host, listed);
        String other = host.equals("qa") ? "qb" : "qa";
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (qemuPid(other, "devnode7") != null && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        assertEquals(null, qemuPid(other, "devnode7"), "the stale copy on " + other + " is ended: never two");
        assertTrue(qemuPid(host, "devnode7") != null);
        int seen = ticks(host, "devnode7").size();
        awaitTicks(host, "devnode7", seen + 5); // it runs
    }

    /** A session agent killed (SIGKILL) while its guests run: they run on, and the agent started again finds them. */
    @Test
    void anAgentKilledWhileItsGuestsRunFindsThemAgainWhenStartedAgain() throws Exception {
        Process daemon = startDaemon();
        String agent = dist().resolve("bin/vagoth-agent") + " --backend qemu --state " + dir.resolve("qs");
        assertEquals("new: OK (qs); polled: up", vagoth("new", "--type", "hv", "qs", "driver=geats",
                "agent_session=true", "agent=" + agent));
        newGuest("devnode8");
        vagoth("define", "--hint", "qs", "devnode8");
        vagoth("start", "devnode8");
        awaitTicks("qs", "devnode8", 5);
        long guest = qemuPid("qs", "devnode8");
        String state = dir.resolve("qs").toString();
        List<ProcessHandle> agents = ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> List.of(a).contains("--session") && List.of(a).contains(state)).orElse(false)).toList();
        assertEquals(1, agents.size(), "the daemon's session agent for qs");
        agents.get(0).destroyForcibly();
        agents.get(0).onExit().get(30, TimeUnit.SECONDS);
        assertTrue(ProcessHandle.of(guest).map(ProcessHandle::isAlive).orElse(false), "the guest outlived its agent");
        vagoth("poll"); // a new agent, the same guest
        assertEquals("devnode8    state=running    type=vm  parent=qs", vagoth("list", "devnode8"));
        assertEquals("stop: OK (devnode8)", vagoth("stop", "devnode8"));
        assertFalse(ProcessHandle.of(guest).map(ProcessHandle::isAlive).orElse(false));
        daemon.destroyForcibly();
        daemon.waitFor(30, TimeUnit.SECONDS);
    }

    private Process startDaemon() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(dist().resolve("bin/vagoth").toString(), "daemon")
                .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.out").toFile());
        pb.environment().put("VAGOTH_HOME", home.toString());
        pb.environment().put("VAGOTH_NO_AUTOSTART", "1");
        Process daemon = pb.start();
        Path socket = home.resolve("var/run/vagoth.sock");
        for (int i = 0; i < 600 && !Files.exists(socket); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(socket), "the daemon did not open its socket: " + read(dir.resolve("daemon.out")));
        return daemon;
    }
}
