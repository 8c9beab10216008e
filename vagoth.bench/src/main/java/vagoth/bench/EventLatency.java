package vagoth.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;


/**
 * How long a change takes to reach a subscriber of the event stream:
 * {@code EventLatency <VAGOTH_HOME> <port> <token> <node> <changes>} changes
 * a tag of {@code node} through the API that many times, one after the other,
 * and times each from just before the request to the arrival of its
 * {@code node.changed} event on an open stream. Prints the median, 99th
 * percentile and maximum in milliseconds.
 */
public final class EventLatency {
    private EventLatency() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String token = args[2];
        String node = args[3];
        int changes = Integer.parseInt(args[4]);
        HttpClient client = DaemonTls.client(home);
        String base = "https://localhost:" + port + "/api/v1";
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    if (l.startsWith("data: ") && l.contains("\"bench\":\"")) {
                        int at = l.indexOf("\"bench\":\"") + 9;
                        seen.add(l.substring(at, l.indexOf('"', at)));
                    }
                }
            } catch (Exception e) {
                // closed
            }
        }, "events");
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(500);
        double[] ms = new double[changes];
        for (int i = 0; i < changes; i++) {
            String mark = "m" + i;
            long start = System.nanoTime();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/nodes/" + node))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"tags\": {\"bench\": \"" + mark + "\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("PUT answered " + r.statusCode() + ": " + r.body());
            }
            while (true) {
                String got = seen.poll(10, TimeUnit.SECONDS);
                if (got == null) {
                    throw new IllegalStateException("no event for change " + mark);
                }
                if (got.equals(mark)) {
                    break;
                }
            }
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("event latency over %d changes: median %.1f ms, p99 %.1f ms, max %.1f ms%n", changes,
                ms[changes / 2], ms[(int) Math.ceil(changes * 0.99) - 1], ms[changes - 1]);
        System.exit(0);
    }
}
