package vagoth.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in Debian's headless Chromium against a running daemon:
 * {@code ConsoleBenchmark <VAGOTH_HOME> <port> <token> <vm> <runs>}.
 * <ol>
 * <li>The VM list ready for input: the page loaded anew each run at
 * {@code #/vms} (the first page of all the VMs, with their count) and at a
 * search by part of a name (a glob over all of them), timed from
 * the navigation's start to the first frame painted with the list and the
 * page waiting for input again (the page's {@code vms-interactive} mark).</li>
 * <li>A state change visible: {@code vm} started and stopped through the API
 * in turn, each timed from just before the request to the moment its row in
 * an open list shows the new state (a MutationObserver in the page, on the
 * same clock).</li>
 * </ol>
 * Prints the median, 90th percentile and maximum in milliseconds.
 */
public final class ConsoleBenchmark {
    private ConsoleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String token = args[2];
        String vm = args[3];
        int runs = Integer.parseInt(args[4]);
        String ui = "https://localhost:" + port + "/ui/";
        Path profile = Files.createTempDirectory("vagoth-console-bench");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream()).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(Path.of("/usr/bin/chromium").toFile());
        options.setAcceptInsecureCerts(true);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
            driver.get(ui + "login.html");
            driver.findElement(By.id("token")).sendKeys(token, Keys.ENTER);
            wait.until(d -> d.getCurrentUrl().contains("/ui/index.html"));

            for (String view : List.of("#/vms", "#/vms?name=name-42")) {
                List<Double> ready = new ArrayList<>();
                String count = "";
                for (int i = 0; i < runs + 2; i++) { // the first two warm up the daemon's JIT and the browser
                    driver.get(ui + "index.html?run=" + i + view);
                    Object t = wait.until(d -> driver.executeScript("const m = performance.getEntriesByName("
                            + "'vms-interactive'); return m.length ? m[0].startTime : null;"));
                    count = driver.findElement(By.id("vm-count")).getText();
                    if (i >= 2) {
                        ready.add(((Number) t).doubleValue());
                    }
                }
                System.out.println("VM list " + view + " ready for input (" + count + "), ms from navigation: "
                        + summary(ready));
            }

            driver.get(ui + "index.html?run=state#/vms?name=" + vm);
            wait.until(d -> driver.executeScript("return document.body.dataset.ready === 'vms';"));
            HttpApi api = new HttpApi(home, port, token);
            List<Double> seen = new ArrayList<>();
            for (int i = 0; i < runs + 2; i++) {
                String action = i % 2 == 0 ? "start" : "stop";
                String before = state(driver, vm);
                driver.executeScript("window.seenAt = null; const before = arguments[0];"
                        + "const o = new MutationObserver(() => { const s = document.querySelector("
                        + "\"#vms tr[data-name='\" + arguments[1] + \"'] .vm-state\");"
                        + " if (s && s.textContent !== before && window.seenAt === null) {"
                        + " window.seenAt = performance.timeOrigin + performance.now(); o.disconnect(); } });"
                        + "o.observe(document.querySelector('#vms tbody'), {childList: true, subtree: true,"
                        + " characterData: true});", before, vm);
                long t0 = System.currentTimeMillis();
                int status = api.post("/vms/" + vm + "/" + action);
                if (status != 202) {
                    throw new IllegalStateException(action + " " + vm + " answered " + status);
                }
                Object at = wait.until(d -> driver.executeScript("return window.seenAt;"));
                if (i >= 2) {
                    seen.add(((Number) at).doubleValue() - t0);
                }
                Thread.sleep(300);
            }
            System.out.println("VM state change visible in an open list, ms from the API call: " + summary(seen));
        } catch (org.openqa.selenium.TimeoutException e) {
            System.out.println("timed out; the page (" + driver.getCurrentUrl() + ") showed: "
                    + driver.findElement(By.tagName("body")).getText());
            throw e;
        } finally {
            driver.quit();
            service.stop();
        }
    }

    private static String state(ChromeDriver driver, String vm) {
        return (String) driver.executeScript("const s = document.querySelector(\"#vms tr[data-name='\" + arguments[0]"
                + " + \"'] .vm-state\"); return s ? s.textContent : '';", vm);
    }

    private static String summary(List<Double> ms) {
        List<Double> s = new ArrayList<>(ms);
        Collections.sort(s);
        return String.format("median %.0f, p90 %.0f, max %.0f (%d runs)", s.get(s.size() / 2),
                s.get((int) Math.ceil(s.size() * 0.9) - 1), s.get(s.size() - 1), s.size());
    }

    /** The API over TLS, trusting the daemon's own certificate. */
    private static final class HttpApi {
        private final java.net.http.HttpClient client;
        private final String base;
        private final String token;

        HttpApi(Path home, int port, String token) throws Exception {
            this.client = DaemonTls.client(home);
            this.base = "https://localhost:" + port + "/api/v1";
            this.token = token;
        }

        int post(String path) throws Exception {
            java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build();
            return client.send(req, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
