package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web console in a real browser (Debian's headless Chromium) against a
 * real daemon: sign-in and what each role sees and may do, a VM started from
 * the console and its state changing live, a job failing with its reason,
 * the plan shown before a migration, the fence warning, the CSRF check, and
 * the session ending. With {@code -Dvagoth.screenshots=DIR} it also saves the
 * main views as PNGs there (the README's screenshots).
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@Tag("browser") // headless Chromium: left out with -Dvagoth.test.exclude=browser
class ConsoleIT {
    @TempDir
    static Path tmp;
    static ApiDaemon daemon;
    static String viewer;
    static String operator;
    static String admin;

    @TempDir
    Path profile;
    Browser browser;

    /**
     * An agent that answers every request but start, which it refuses with a
     * reason; its poll says it holds bad1, stopped.
     */
    private static final String REFUSES_START = "/bin/sh -c \"read r; case \\\"\\$r\\\" in *status*) echo"
            + " '{\\\"success\\\": true, \\\"data\\\": {\\\"vms\\\": {\\\"bad1\\\": {\\\"definition\\\": {},"
            + " \\\"state\\\": [\\\"stopped\\\", \\\"\\\"]}}, \\\"status\\\": {\\\"mem_total\\\": 4096,"
            + " \\\"cpus\\\": 4}}}';; *start*) echo '{\\\"success\\\": false, \\\"errorcode\\\": \\\"no_memory\\\","
            + " \\\"message\\\": \\\"out of memory on flaky\\\"}';; *) echo '{\\\"success\\\": true, \\\"data\\\":"
            + " {}}';; esac\"";

    @BeforeAll
    static void fleet() throws Exception {
        daemon = ApiDaemon.start(tmp.resolve("home"), "");
        host("hvB", 8192);
        host("hvC", 4096);
        ok("new", "--type", "hv", "flaky", "driver=geats", "agent=" + REFUSES_START);
        for (String vm : List.of("web1", "web2", "web3")) {
            ok("new", "--tenant", "shop", "--tag", "role=web", vm, "template=debian", "ram=1024");
            ok("provision", "--hint", "hyper1", vm);
        }
        ok("new", "--tenant", "shop", "--tag", "role=db", "db1", "template=debian", "ram=2048");
        ok("provision", "--hint", "hvB", "db1");
        ok("ha", "--priority", "7", "db1", "on");
        ok("new", "--type", "hv", "gone", "driver=geats", "agent=false"); // never answers: one to fence
        ok("new", "bad1", "ram=512");
        ok("define", "--hint", "flaky", "bad1");
        viewer = daemon.token("viewer");
        operator = daemon.token("operator");
        admin = daemon.token("admin");
        for (int i = 1; i <= BULK; i++) { // through the API: a list longer than a page, quickly
            HttpResponse<String> made = daemon.send("POST", "/api/v1/nodes", admin, String.format(
                    "{\"id\": \"bulk-%03d\", \"tenant\": \"batch\", \"definition\": {\"ram\": \"128\"}}", i));
            assertEquals(201, made.statusCode(), made.body());
        }
    }

    /** VMs of tenant batch: two pages and a bit. */
    private static final int BULK = 210;

    @AfterAll
    static void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @BeforeEach
    void openBrowser() throws Exception {
        browser = Browser.start(profile);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private static String ok(String... args) throws Exception {
        VagothProcess.Result r = VagothProcess.run(daemon.home, List.of(), args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + ": " + r.err() + r.out());
        return r.out();
    }

    private static void host(String hv, int memMb) throws Exception {
        ok("new", "--type", "hv", hv, "driver=geats", "agent='" + Path.of(System.getProperty("vagoth.dist"), "bin",
                "vagoth-agent") + "' --backend sim --state '" + tmp.resolve(hv) + "' --mem-total " + memMb + " --cpus 8");
    }

    private String ui(String page) {
        return daemon.uri("/ui/" + page).toString();
    }

    /** Signs in with {@code token} on the sign-in page and waits for the console. */
    private void signIn(String token, String hash) {
        browser.open(ui("index.html" + hash));
        browser.await("the sign-in page", d -> d.getCurrentUrl().contains("/ui/login.html"));
        browser.await("the sign-in page ready (its button enabled by its script)", d -> browser.find(
                "#signin button").isEnabled());
        browser.find("#token").sendKeys(token, Keys.ENTER);
        browser.await("the console after signing in", d -> d.getCurrentUrl().contains("/ui/index.html"));
        browser.await("who is signed in", d -> !browser.text("#me").isEmpty());
    }

    private void awaitView(String css) {
        browser.await("the view's " + css, d -> "false".equals(browser.find("#view").getAttribute("aria-busy"))
                && !browser.all(css).isEmpty());
    }

    /** The name of the first VM in the list, or "". */
    private String firstVm() {
        return (String) browser.driver.executeScript("const r = document.querySelector('#vms tbody tr');"
                + " return r ? r.dataset.name : '';");
    }

    private String vmRowState(String vm) {
        return browser.text("#vms tr[data-name='" + vm + "'] .vm-state");
    }

    private void screenshot(String name) throws Exception {
        String dir = System.getProperty("vagoth.screenshots");
        if (dir != null && !dir.isBlank()) {
            Thread.sleep(300); // let the last paint land
            browser.screenshot(Path.of(dir, name + ".png"));
        }
    }

    @Test
    void aPageWithoutASessionSendsToSignInAndABadTokenIsRefused() {
        browser.open(ui("index.html#/vms?state=running"));
        browser.await("sent to sign-in", d -> d.getCurrentUrl().contains("/ui/login.html"));
        assertTrue(browser.driver.getCurrentUrl().contains("next=%23%2Fvms%3Fstate%3Drunning"),
                "it comes back where it was going: " + browser.driver.getCurrentUrl());
        browser.await("the sign-in page ready", d -> browser.find("#signin button").isEnabled());
        browser.find("#token").sendKeys("vgt_nothing_wrong", Keys.ENTER);
        browser.awaitText("#error", "Not signed in: the token is not valid");
        browser.open(ui(""));
        browser.await("/ui/ leads to sign-in too", d -> d.getCurrentUrl().contains("/ui/login.html"));
    }

    @Test
    void aViewerSeesTheFleetAndNoButtonThatChangesIt() throws Exception {
        signIn(viewer, "");
        assertEquals("viewer-test (viewer)", browser.text("#me"));
        awaitView("table tbody tr[data-id='hyper1']");
        String hyper1 = browser.text("tr[data-id='hyper1']");
        assertTrue(hyper1.contains("up") && hyper1.contains(" GiB of 16 GiB") && hyper1.contains("of 8"), hyper1);
        assertTrue(browser.all("tr[data-id='hyper1'] meter").size() == 2, "a bar each for RAM and CPUs");
        assertTrue(browser.all("main button").isEmpty(), "a viewer has no button that changes anything");
        // the high availability panel: db1 asks for it (set up above)
        String ha = browser.text("#ha-vms tr[data-name='db1']");
        assertTrue(ha.contains("db1") && ha.contains("7") && ha.contains("hvB"), ha);
        String manager = browser.text("#ha-manager");
        assertTrue(manager.matches("Manager \\S+ pid \\d+: fences a host unreachable for \\d+ s and \\d+ polls in a"
                + " row; 3 starts and 5 relocations per VM; .*"), manager);
        screenshot("hypervisors-viewer");

        browser.open(ui("index.html#/vms?tenant=shop"));
        awaitView("#vms tbody tr");
        assertEquals(4, browser.all("#vms tbody tr").size());
        assertTrue(browser.text("#vm-count").contains("1–4 of 4 VMs"), browser.text("#vm-count"));
        assertTrue(browser.all("#vms button").isEmpty());
        browser.click("#vms a[href='#/vm/db1']");
        awaitView("#vm-summary");
        screenshot("vm-db1");
        String page = browser.text("#view");
        assertTrue(page.contains("Definition") && page.contains("ram") && page.contains("2048")
                && page.contains("hvB") && page.contains("role=db") && page.contains("provision"), page);

        // the API refuses what the console does not offer, whatever a page sends
        Object answer = browser.driver.executeAsyncScript("const done = arguments[0];"
                + "fetch('/api/v1/session').then(r => r.json()).then(me => fetch('/api/v1/vms/web1/start',"
                + " {method: 'POST', headers: {'X-CSRF-Token': me.csrf}})).then(r => done(r.status));");
        assertEquals(403L, answer, "a viewer's session may not start a VM");
    }

    @Test
    void aLongListIsShownAPageAtATimeForwardAndBack() {
        signIn(viewer, "#/vms?tenant=batch");
        awaitView("#vms tbody tr");
        assertEquals("1–100 of " + BULK + " VMs", browser.text("#vm-count"));
        assertEquals(100, browser.all("#vms tbody tr").size());
        assertEquals("bulk-001", firstVm());
        WebElement next = browser.driver.findElement(org.openqa.selenium.By.xpath("//button[contains(., 'Next')]"));
        next.sendKeys(Keys.ENTER);
        browser.awaitText("#vm-count", "101–200 of " + BULK);
        browser.await("bulk-101 first", d -> firstVm().equals("bulk-101"));
        browser.driver.findElement(org.openqa.selenium.By.xpath("//button[contains(., 'Next')]")).click();
        browser.awaitText("#vm-count", "201–" + BULK + " of " + BULK);
        assertEquals(BULK - 200, browser.all("#vms tbody tr").size());
        assertFalse(browser.driver.findElement(org.openqa.selenium.By.xpath("//button[contains(., 'Next')]"))
                .isEnabled(), "no page after the last");
        browser.driver.findElement(org.openqa.selenium.By.xpath("//button[contains(., 'Previous')]")).click();
        browser.awaitText("#vm-count", "101–200 of " + BULK);
        browser.find("#f-name").sendKeys("bulk-20", Keys.ENTER); // part of a name: a search, as 'list' globs
        browser.awaitText("#vm-count", "1–10 of 10 VMs");
        assertTrue(browser.driver.getCurrentUrl().contains("name=bulk-20"), browser.driver.getCurrentUrl());
    }

    @Test
    void manyTabsOfTheConsoleAllLoadAndAllSeeChanges() throws Exception {
        signIn(viewer, "#/vms?tenant=tabs");
        awaitView("#vms");
        String first = browser.driver.getWindowHandle();
        for (int i = 2; i <= 9; i++) { // more tabs than the six connections a browser keeps to one host
            browser.driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
            browser.open(ui("index.html?tab=" + i + "#/vms?tenant=tabs"));
            awaitView("#vms");
        }
        ok("new", "--tenant", "tabs", "tabbed1", "ram=128");
        browser.awaitText("#vm-count", "1–1 of 1 VM");
        browser.driver.switchTo().window(first);
        browser.awaitText("#vm-count", "1–1 of 1 VM");
    }

    /** A browser without shared workers opens the same stream from the page itself, and sees changes too. */
    @Test
    void aBrowserWithoutSharedWorkersSeesChangesFromThePagesOwnStream() throws Exception {
        browser.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", java.util.Map.of("source",
                "delete window.SharedWorker;"));
        signIn(viewer, "#/vms?tenant=alone");
        awaitView("#vms");
        assertEquals(Boolean.TRUE, browser.driver.executeScript("return window.SharedWorker === undefined;"));
        ok("new", "--tenant", "alone", "alone1", "ram=128");
        browser.awaitText("#vm-count", "1–1 of 1 VM");
    }

    @Test
    void anEventStreamEndsWhenItsTokenIsRevoked() throws Exception {
        String doomed = ok("token", "create", "--role", "viewer", "--name", "streamer").lines().reduce((a, b) -> b)
                .orElseThrow();
        HttpResponse<java.io.InputStream> stream = daemon.client.send(HttpRequest.newBuilder(daemon.uri(
                "/api/v1/events")).header("Authorization", "Bearer " + doomed).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            assertTrue(in.readLine().startsWith(": events of "));
            ok("token", "revoke", doomed.split("_")[1]);
            awaitEnded(in);
            assertTrue(in.readLine().contains("no longer accepted"));
        }
    }

    /** The console's own stream (a session cookie, no token header) ends too once the token behind it is revoked. */
    @Test
    void aSessionsEventStreamEndsWhenItsTokenIsRevoked() throws Exception {
        String doomed = ok("token", "create", "--role", "viewer", "--name", "session-streamer").lines()
                .reduce((a, b) -> b).orElseThrow();
        HttpResponse<String> signedIn = daemon.client.send(HttpRequest.newBuilder(daemon.uri("/api/v1/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + doomed + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, signedIn.statusCode(), signedIn.body());
        String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        HttpResponse<java.io.InputStream> stream = daemon.client.send(HttpRequest.newBuilder(daemon.uri(
                "/api/v1/events")).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            assertTrue(in.readLine().startsWith(": events of "));
            ok("token", "revoke", doomed.split("_")[1]);
            awaitEnded(in);
        }
    }

    /** Reads keep-alives and events until the stream says it ended (within its keep-alive period). */
    private static void awaitEnded(java.io.BufferedReader in) throws java.io.IOException {
        String line;
        while ((line = in.readLine()) != null && !line.equals("event: ended")) {
            // not yet
        }
        assertEquals("event: ended", line, "the stream said why it ended");
    }

    @Test
    void anOperatorStartsAVmAndSeesItsStateChangeWithoutReloading() throws Exception {
        signIn(operator, "#/vms?name=web");
        awaitView("#vms tr[data-name='web1']");
        browser.driver.executeScript("window.notReloaded = true;");
        String before = vmRowState("web1");
        assertFalse(before.contains("running") || before.contains("starting"), before);
        assertTrue(browser.all("#view button[aria-label^='fence'], #view button[aria-label^='evacuate']").isEmpty());
        browser.click("button[aria-label='start web1']");
        browser.awaitText("#followed-list li", "start web1: done");
        browser.await("web1 starting or running in the list", d -> vmRowState("web1").matches(".*(starting|running)"));
        screenshot("vms-operator");

        // a change made elsewhere (the command line) shows up too
        ok("stop", "web1");
        browser.await("web1 stopped in the list", d -> vmRowState("web1").matches(".*(stopping|stopped)"));
        assertEquals(Boolean.TRUE, browser.driver.executeScript("return window.notReloaded === true;"),
                "the page was never reloaded");

        // the VM's page shows the jobs it just had
        browser.click("#vms a[href='#/vm/web1']");
        awaitView("table.jobs");
        String jobs = browser.text("table.jobs");
        assertTrue(jobs.contains("start") && jobs.contains("stop") && jobs.contains("done"), jobs);
        // and the end of its serial log, from its hypervisor's agent: the simulated guest's power on and off
        browser.awaitText("#serial-log", "web1: powered off");
        String log = browser.text("#serial-log");
        assertTrue(log.indexOf("web1: powered on (1024 MB") < log.indexOf("web1: powered off"), log);
        screenshot("vm-page");
    }

    @Test
    void aViewerSeesNoSerialLogAndTheApiRefusesItToo() throws Exception {
        signIn(viewer, "#/vm/web2");
        awaitView("table.jobs, p.muted");
        assertTrue(browser.all("#serial-log").isEmpty(), "a viewer's VM page has no serial log");
        assertEquals(403, daemon.send("GET", "/api/v1/vms/web2/console", viewer, "").statusCode());
        HttpResponse<String> bad = daemon.send("GET", "/api/v1/vms/web2/console?lines=0", operator, "");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("lines must be a number from 1 to 1000"), bad.body());
        HttpResponse<String> two = daemon.send("GET", "/api/v1/vms/web2/console?lines=2", operator, "");
        assertEquals(200, two.statusCode(), two.body());
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(two.body()).getAsJsonObject();
        assertEquals("hyper1", o.get("hypervisor").getAsString());
        assertEquals(0, o.getAsJsonArray("lines").size(), "web2 never ran: its simulated console printed nothing");
    }

    /** High availability from a VM's page: an operator turns it on and off; a viewer reads it and the API refuses. */
    @Test
    void anOperatorTurnsHighAvailabilityOnAndOffOnAVmsPage() throws Exception {
        signIn(operator, "#/vm/web1");
        awaitView("#vm-ha-toggle");
        assertTrue(browser.text("#vm-ha").startsWith("off"), browser.text("#vm-ha"));
        browser.click("#vm-ha-toggle");
        browser.awaitText("#followed-list li", "ha web1 on: done");
        browser.awaitText("#vm-ha", "restarted elsewhere when its host dies, priority 0");
        assertTrue(ok("ha", "status").contains("web1"), "the command line sees it too");
        browser.click("#vm-ha-toggle");
        browser.awaitText("#followed-list li", "ha web1 off: done");
        browser.await("HA off again", d -> browser.text("#vm-ha").startsWith("off"));
        assertFalse(ok("ha", "status").contains("web1"));

        HttpResponse<String> refused = daemon.send("PUT", "/api/v1/ha/web1", viewer, "{\"on\": true}");
        assertEquals(403, refused.statusCode(), refused.body());
        for (String body : List.of("{}", "{\"on\": true, \"priority\": 5000}", "{\"on\": false, \"priority\": 1}",
                "{\"on\": true, \"priority\": \"high\"}", "{\"on\": true, \"why\": 1}")) {
            HttpResponse<String> bad = daemon.send("PUT", "/api/v1/ha/web1", operator, body);
            assertEquals(400, bad.statusCode(), body + ": " + bad.body());
        }
        assertEquals(404, daemon.send("PUT", "/api/v1/ha/nosuchvm", operator, "{\"on\": true}").statusCode());
        assertEquals(409, daemon.send("PUT", "/api/v1/ha/hyper1", operator, "{\"on\": true}").statusCode(),
                "a hypervisor is not a VM");
        assertFalse(ok("ha", "status").contains("web1"), "nothing refused changed anything");
        HttpResponse<String> on = daemon.send("PUT", "/api/v1/ha/web1", operator, "{\"on\": true, \"priority\": 3}");
        assertEquals(200, on.statusCode(), on.body());
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(on.body()).getAsJsonObject();
        assertEquals(3, o.get("priority").getAsInt());
        assertTrue(o.get("on").getAsBoolean());
        assertTrue(ok("ha", "status").contains("priority=3"), ok("ha", "status"));
        ok("ha", "web1", "off");
    }

    /**
     * A fenced host that comes back still running a VM's copy: its row says
     * so, and an admin's "Stop duplicates" stops the copy through its agent;
     * the host stays fenced.
     */
    @Test
    void anAdminStopsTheCopiesAFencedHostStillRunsAndItStaysFenced() throws Exception {
        Path down = tmp.resolve("dup-is-down");
        Path agent = tmp.resolve("dup-agent");
        java.nio.file.Files.writeString(agent, "#!/bin/sh\n[ -e '" + down + "' ] && { echo 'No route to host' >&2;"
                + " exit 255; }\nexec '" + Path.of(System.getProperty("vagoth.dist"), "bin", "vagoth-agent")
                + "' --backend sim --state '" + tmp.resolve("sim-dup") + "' --mem-total 2048 --cpus 2 \"$@\"\n");
        assertTrue(agent.toFile().setExecutable(true));
        ok("new", "--type", "hv", "dup", "driver=geats", "agent=" + agent);
        ok("new", "dupvm", "ram=128");
        ok("define", "--hint", "dup", "dupvm");
        ok("start", "dupvm");
        java.nio.file.Files.createFile(down);
        ok("poll");
        ok("fence", "dup");
        java.nio.file.Files.delete(down); // it comes back, still running its copy
        ok("poll");
        assertTrue(ok("info", "dupvm").contains("duplicate_on=dup"), ok("info", "dupvm"));

        signIn(admin, "#/hypervisors");
        awaitView("tr[data-id='dup'] button");
        assertTrue(browser.text("tr[data-id='dup']").contains("still runs copies of dupvm"),
                browser.text("tr[data-id='dup']"));
        browser.click("button[aria-label='stop duplicates dup']");
        browser.awaitText("#followed-list li", "stop duplicates on dup: done — stopped its copies of dupvm");
        browser.await("the copy gone from its row", d -> !browser.text("tr[data-id='dup']").contains("copies"));
        assertTrue(browser.text("tr[data-id='dup']").contains("fenced"), browser.text("tr[data-id='dup']"));
        assertTrue(ok("listhv", "dup").contains("fenced"), "it stays fenced");
        ok("poll");
        assertFalse(ok("info", "dupvm").contains("duplicate_on"), "no copy runs there any more");
        assertTrue(java.nio.file.Files.readString(tmp.resolve("sim-dup").resolve("vms/dupvm.serial.log"))
                .contains("powered off"), "the agent stopped it");
    }

    @Test
    void aJobThatFailsShowsWhy() throws Exception {
        signIn(operator, "#/vms?name=bad1");
        awaitView("#vms tr[data-name='bad1']");
        browser.click("button[aria-label='start bad1']");
        browser.awaitText("#followed-list li", "failed");
        assertTrue(browser.text("#followed-list li").contains("out of memory on flaky"), browser.text("#followed"));
        browser.click("#followed-list li a");
        awaitView("#job-error");
        assertTrue(browser.text("#job-error").contains("start failed: no_memory: out of memory on flaky"),
                browser.text("#job-error"));
        screenshot("job-failed");

        browser.open(ui("index.html#/jobs"));
        awaitView("table.jobs");
        assertTrue(browser.text("table.jobs").contains("out of memory on flaky"));
        screenshot("jobs");
    }

    @Test
    void anAdminMigratesAfterSeeingThePlanAndFencingAsksForTheHostsName() throws Exception {
        signIn(admin, "#/vms?name=web3");
        awaitView("#vms tr[data-name='web3']");
        WebElement migrate = browser.find("button[aria-label='migrate web3']");
        migrate.sendKeys(Keys.ENTER); // the keyboard opens it
        browser.awaitText("#plan", "web3 →");
        String plan = browser.text("#plan");
        assertTrue(plan.contains("its disk is copied, checked, then removed from hyper1"), plan);
        assertFalse(browser.find("#migrate-live").isDisplayed(), "simulated hosts cannot move it live: not offered");
        new org.openqa.selenium.support.ui.Select(browser.find("#migrate-to")).selectByVisibleText("hvC");
        browser.awaitText("#plan", "web3 → hvC");
        assertEquals("Migrate to hvC", browser.text("#dialog-ok"));
        screenshot("migrate-plan");
        browser.click("#dialog-ok");
        browser.awaitText("#followed-list li", "migrate web3: done");
        browser.await("web3 on hvC in the list", d -> browser.text("#vms tr[data-name='web3']").contains("hvC"));

        browser.open(ui("index.html#/hypervisors"));
        awaitView("tr[data-id='hvC'] button");
        browser.click("button[aria-label='fence hvC']");
        String warning = browser.text("#dialog-body");
        assertTrue(warning.contains("Fencing states that hvC is powered off") && warning.contains("run twice"),
                warning);
        assertFalse(browser.find("#dialog-ok").isEnabled(), "nothing is fenced before the name is typed");
        browser.find("#fence-confirm").sendKeys("hvB");
        assertFalse(browser.find("#dialog-ok").isEnabled(), "another host's name does not confirm it");
        screenshot("fence-confirm");
        browser.find("#fence-confirm").sendKeys(Keys.ESCAPE);
        browser.await("the dialog closes with Escape", d -> !browser.find("#dialog").isDisplayed());

        browser.click("button[aria-label='evacuate hvC']");
        browser.awaitText("#dialog-body", "1 would move");
        assertTrue(browser.text("#dialog-body").contains("web3 → "), browser.text("#dialog-body"));
        browser.click("#dialog-ok");
        browser.awaitText("#followed-list", "evacuate hvC: done");
        browser.await("web3 moved off hvC", d -> browser.text("#followed-list").matches("(?s).*migrate web3 → \\S+:"
                + " done.*"));
        browser.await("hvC in maintenance", d -> browser.text("tr[data-id='hvC']").contains("maintenance"));
        assertTrue(ok("listhv", "hvC").contains("vms=0"), "hvC is empty");
        screenshot("hypervisors-admin");

        browser.click("button[aria-label='maintenance off hvC']");
        browser.awaitText("#followed-list", "maintenance off hvC: done");
        browser.await("hvC out of maintenance", d -> !browser.text("tr[data-id='hvC']").contains("maintenance,"));
        assertTrue(ok("listhv", "hvC").contains("maintenance=off"));

        browser.click("button[aria-label='fence gone']");
        browser.find("#fence-confirm").sendKeys("gone");
        browser.click("#dialog-ok");
        browser.awaitText("#followed-list", "fence gone: done");
        browser.await("gone fenced", d -> browser.text("tr[data-id='gone']").contains("fenced"));
        assertTrue(ok("listhv", "gone").contains("fenced"), ok("listhv", "gone"));
        browser.click("button[aria-label='unfence gone']");
        browser.awaitText("#followed-list", "unfence gone: done");
        browser.await("gone unfenced", d -> browser.text("tr[data-id='gone'] td").length() > 0
                && !browser.text("tr[data-id='gone']").contains("fenced"));
    }

    @Test
    void aChangeWithTheSessionCookieButWithoutItsCsrfTokenIsRefused() throws Exception {
        HttpResponse<String> in = daemon.client.send(HttpRequest.newBuilder(daemon.uri("/api/v1/session"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + admin + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, in.statusCode(), in.body());
        HttpResponse<String> form = daemon.client.send(HttpRequest.newBuilder(daemon.uri("/api/v1/session"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + admin + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(415, form.statusCode(), "what another site's form could post signs nobody in: " + form.body());
        assertTrue(form.headers().firstValue("Set-Cookie").isEmpty());
        String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("; HttpOnly") && setCookie.contains("; Secure")
                && setCookie.contains("; SameSite=Strict"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String csrf = in.body().replaceAll(".*\"csrf\":\"([^\"]+)\".*\\s*", "$1");

        HttpResponse<String> without = change(cookie, null);
        assertEquals(403, without.statusCode(), without.body());
        assertTrue(without.body().contains("CSRF token"), without.body());
        assertEquals(403, change(cookie, "not-" + csrf).statusCode(), "a wrong token is refused too");
        assertTrue(ok("listhv", "hvB").contains("maintenance=off"), "nothing changed");
        assertEquals(200, change(cookie, csrf).statusCode(), "with it, the change is made");
        assertTrue(ok("listhv", "hvB").contains("maintenance=on"));
        assertEquals(200, change(cookie, csrf, "false").statusCode());

        // in the browser: the cookie is out of the page's reach, and a change without the header is refused
        signIn(viewer, "");
        assertEquals("", browser.driver.executeScript("return document.cookie;"), "HttpOnly: no script reads it");
        Object status = browser.driver.executeAsyncScript("const done = arguments[0]; fetch("
                + "'/api/v1/session', {method: 'DELETE'}).then(r => done(r.status));");
        assertEquals(403L, status, "signing out needs the CSRF token as well");
    }

    private HttpResponse<String> change(String cookie, String csrf) throws Exception {
        return change(cookie, csrf, "true");
    }

    private HttpResponse<String> change(String cookie, String csrf, String on) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(daemon.uri("/api/v1/hypervisors/hvB/maintenance"))
                .timeout(Duration.ofSeconds(30)).header("Cookie", cookie).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"on\": " + on + "}"));
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return daemon.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRevokedTokenEndsTheSessionAndSigningOutEndsIt() throws Exception {
        String shortLived = ok("token", "create", "--role", "operator", "--name", "short-lived").lines()
                .reduce((a, b) -> b).orElseThrow();
        String id = shortLived.split("_")[1];
        signIn(shortLived, "#/vms?name=web2");
        awaitView("#vms tr[data-name='web2']");
        ok("token", "revoke", id);
        browser.click("button[aria-label='start web2']");
        browser.awaitText("#banner", "Your session has ended");
        assertTrue(browser.all("#vms button").stream().noneMatch(WebElement::isEnabled),
                "no button is left to press");
        screenshot("session-ended");
        browser.click("#banner a");
        browser.await("back at sign-in", d -> d.getCurrentUrl().contains("/ui/login.html"));

        signIn(viewer, "#/events");
        awaitView("#events");
        ok("new", "seen1", "ram=256");
        browser.awaitText("#events", "node.created vm seen1");
        screenshot("events");
        browser.click("#signout");
        browser.await("signed out", d -> d.getCurrentUrl().contains("/ui/login.html?why=signed-out"));
        browser.open(ui("index.html#/hypervisors"));
        browser.await("the old session is gone", d -> d.getCurrentUrl().contains("/ui/login.html"));
    }

    @Test
    void theConsoleSaysWhenTheDaemonIsUnreachable() throws Exception {
        signIn(viewer, "");
        awaitView("tr[data-id='hyper1']");
        // the daemon's port taken away: a daemon of its own, so that the others' stays up
        try (ApiDaemon other = ApiDaemon.start(tmp.resolve("other"), "")) {
            String token = other.token("viewer");
            browser.open(other.uri("/ui/index.html").toString());
            browser.await("sign-in", d -> d.getCurrentUrl().contains("/ui/login.html"));
            browser.await("the sign-in page ready", d -> browser.find("#signin button").isEnabled());
            browser.find("#token").sendKeys(token, Keys.ENTER);
            browser.await("the console", d -> !browser.text("#me").isEmpty());
            VagothProcess.run(other.home, List.of(), "daemon", "stop");
            browser.awaitText("#banner", "The daemon is unreachable at localhost:" + other.port);
            screenshot("unreachable");
        }
    }
}
