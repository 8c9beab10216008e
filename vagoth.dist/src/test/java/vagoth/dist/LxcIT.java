package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hypervisor backed by real LXC on this machine, driven through
 * {@code bin/vagoth}: new, start, poll, stop, deprovision, checked against
 * {@code lxc-info}. Needs root and the lxc tools; without them it says so and
 * is skipped, except in CI (CI=true), where .ci/run installs LXC and the test
 * must run.
 */
@Timeout(600)
@Tag("lxc")
@Tag("root")
class LxcIT {
    private Path home;
    private Path lxcpath;

    record Result(int status, String out, String err) {
    }

    @BeforeEach
    void setUp() throws IOException {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean lxc = Files.isExecutable(Path.of("/usr/bin/lxc-create"));
        if (!ci) {
            assumeTrue(root && lxc, "LXC end-to-end test skipped: it needs root and the lxc tools (apt-get install lxc)");
        }
        assertTrue(root && lxc, "CI must run the LXC test: .ci/run installs lxc and runs as root");
        home = Files.createTempDirectory("vagoth-lxc-home");
        lxcpath = Files.createTempDirectory("vagoth-lxc-path");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (lxcpath == null) {
            return;
        }
        for (String name : run("lxc-ls", "-P", lxcpath.toString(), "-1").out().split("\\s+")) {
            if (!name.isBlank()) {
                run("lxc-stop", "-P", lxcpath.toString(), "-n", name, "-k");
                run("lxc-destroy", "-P", lxcpath.toString(), "-n", name);
            }
        }
    }

    private static Result run(String... cmd) throws IOException, InterruptedException {
        return run(null, cmd);
    }

    private static Result run(Path home, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (home != null) {
            pb.environment().put("VAGOTH_HOME", home.toString());
            pb.environment().put("VAGOTH_NO_AUTOSTART", "1"); // tests start the daemons they use
        }
        Process p = pb.start();
        VagothProcess.Result r = VagothProcess.ended(p, 300, String.join(" ", pb.command()));
        return new Result(r.status(), r.out().strip(), r.err().strip());
    }

    private String vagoth(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(dist().resolve("bin/vagoth").toString());
        cmd.addAll(List.of(args));
        Result r = run(home, cmd.toArray(String[]::new));
        assertEquals(0, r.status(), () -> String.join(" ", args) + ": " + r.err());
        return r.out();
    }

    private static Path dist() {
        return Path.of(System.getProperty("vagoth.dist"));
    }

    private String lxcState(String name) throws Exception {
        return run("lxc-info", "-P", lxcpath.toString(), "-n", name, "-s", "-H").out();
    }

    @Test
    void aContainerGoesThroughItsWholeLifeOnRealLxc() throws Exception {
        String agent = "'" + dist().resolve("bin/vagoth-agent") + "' --backend lxc --lxcpath '" + lxcpath + "'";
        assertEquals("new: OK (lxchost); polled: up", vagoth("new", "--type", "hv", "lxchost", "driver=geats",
                "agent=" + agent));
        assertEquals("new: OK (ct1)", vagoth("new", "ct1", "template=busybox", "ram=128"));
        vagoth("poll");
        assertTrue(vagoth("listhv", "lxchost").contains("state=up"));
        assertEquals("define: OK (ct1)", vagoth("define", "--hint", "lxchost", "ct1"));
        assertEquals("STOPPED", lxcState("ct1"));
        assertEquals("start: OK (ct1)", vagoth("start", "ct1"));
        vagoth("poll");
        assertEquals("ct1         state=running    type=vm  parent=lxchost", vagoth("list", "ct1"));
        assertEquals("RUNNING", lxcState("ct1"));
        String config = Files.readString(lxcpath.resolve("ct1/config"));
        assertTrue(config.contains("lxc.net.0.type = empty") && config.contains("lxc.cgroup2.memory.max = 128M"), config);
        assertEquals("stop: OK (ct1)", vagoth("stop", "ct1"));
        vagoth("poll");
        assertEquals("ct1         state=stopped    type=vm  parent=lxchost", vagoth("list", "ct1"));
        assertEquals("STOPPED", lxcState("ct1"));

        // undefine keeps the disk: a file written in the container is there when it is defined again
        Path precious = lxcpath.resolve("ct1/rootfs/root/precious.txt");
        Files.createDirectories(precious.getParent());
        Files.writeString(precious, "only copy");
        assertEquals("undefine: OK (ct1)", vagoth("undefine", "ct1"));
        assertEquals("", run("lxc-ls", "-P", lxcpath.toString(), "-1").out(), "LXC no longer knows it");
        assertEquals("only copy", Files.readString(precious), "undefine destroyed the only disk");
        assertEquals("define: OK (ct1)", vagoth("define", "--hint", "lxchost", "ct1"));
        assertEquals("only copy", Files.readString(precious));
        assertEquals("STOPPED", lxcState("ct1"));

        assertEquals("deprovision: OK (ct1)", vagoth("deprovision", "ct1"));
        assertEquals("", run("lxc-ls", "-P", lxcpath.toString(), "-1").out());
        assertTrue(!Files.exists(lxcpath.resolve("ct1")), "the container and its rootfs are gone");
        assertEquals("ct1         state=unassigned    type=vm  parent=", vagoth("list", "ct1"));
    }

    /**
     * Two hypervisors on this machine, each an LXC agent with an lxcpath of
     * its own (no shared storage): a running container moves with its disk, a
     * file written in its rootfs arrives, it runs at the destination and is
     * gone from the source; a stream damaged on the way is refused and leaves
     * the container whole where it was.
     */
    @Test
    void aContainerMovesWithItsDiskBetweenHostsThatShareNothing() throws Exception {
        Path second = Files.createTempDirectory("vagoth-lxc-path2");
        Path third = Files.createTempDirectory("vagoth-lxc-path3");
        try {
            String agent = "'" + dist().resolve("bin/vagoth-agent") + "' --backend lxc --lxcpath '";
            vagoth("new", "--type", "hv", "lxcA", "driver=geats", "agent=" + agent + lxcpath + "'");
            vagoth("new", "--type", "hv", "lxcB", "driver=geats", "agent=" + agent + second + "'");
            // a host whose agent receives the disk with one byte changed on the way
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            vagoth("new", "--type", "hv", "lxcBad", "driver=geats", "agent='" + java + "' -cp '"
                    + System.getProperty("java.class.path") + "' vagoth.testing.StreamTamper flip-in 300000 -- "
                    + agent + third + "'");
            vagoth("new", "ct2", "template=busybox", "ram=128");
            assertEquals("define: OK (ct2)", vagoth("define", "--hint", "lxcA", "ct2"));
            Path file = lxcpath.resolve("ct2/rootfs/root/moved.txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "travels with its container");
            vagoth("start", "ct2");
            assertEquals("RUNNING", lxcState("ct2"));

            Result damaged = run(home, dist().resolve("bin/vagoth").toString(), "migrate", "ct2", "lxcBad");
            assertEquals(1, damaged.status(), damaged.toString());
            assertTrue(damaged.err().contains("checksum_mismatch") && damaged.err().contains("it is whole on lxcA"),
                    damaged.err());
            assertEquals("RUNNING", lxcState("ct2"), "started again where it was");
            assertEquals("travels with its container", Files.readString(file));
            try (var left = Files.list(third)) {
                assertEquals(0, left.count(), "nothing kept at the damaged stream's end");
            }
            assertTrue(vagoth("list", "ct2").contains("parent=lxcA"));

            assertEquals("migrate: OK (ct2)", vagoth("migrate", "ct2", "lxcB"));
            assertEquals("travels with its container",
                    Files.readString(second.resolve("ct2/rootfs/root/moved.txt")));
            assertEquals("RUNNING", run("lxc-info", "-P", second.toString(), "-n", "ct2", "-s", "-H").out());
            assertTrue(Files.readString(second.resolve("ct2/config")).contains(second.resolve("ct2").toString()),
                    "the config names its new place");
            assertTrue(!Files.exists(lxcpath.resolve("ct2")), "the source's copy is removed at the end");
            assertTrue(vagoth("list", "ct2").contains("parent=lxcB"));
            String job = vagoth("job", vagoth("jobs", "--limit", "1").lines().skip(1).findFirst().orElseThrow()
                    .split("\\s+")[0]);
            assertTrue(job.contains("checksum verified"), job);
        } finally {
            for (String name : run("lxc-ls", "-P", second.toString(), "-1").out().split("\\s+")) {
                if (!name.isBlank()) {
                    run("lxc-stop", "-P", second.toString(), "-n", name, "-k");
                    run("lxc-destroy", "-P", second.toString(), "-n", name);
                }
            }
            run("rm", "-rf", "--one-file-system", second.toString(), third.toString());
        }
    }
}
