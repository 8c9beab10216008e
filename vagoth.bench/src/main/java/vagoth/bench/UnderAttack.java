package vagoth.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The API's answer time for an authenticated client while it is attacked:
 * {@code UnderAttack <VAGOTH_HOME> <port> <token> <node> <viewer-token,...> <requests>}
 * opens 200 event streams (the viewer tokens in turn) and 200 uploads without
 * a token that announce a 100 kB body and send ten bytes of it (from
 * 127.0.1.1 to 127.0.1.200), then times {@code requests} {@code GET
 * /api/v1/nodes/NODE} with {@code token}, one after the other, each with a
 * 10-second timeout. Prints the median, 99th percentile and maximum in
 * milliseconds, and how many were not answered in time (it gives up when the
 * first three are not).
 */
public final class UnderAttack {
    private static final int STREAMS = 200;
    private static final int UPLOADS = 200;
    private static final long TIMEOUT_MS = 10_000;

    private UnderAttack() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String token = args[2];
        String node = args[3];
        String[] viewers = args[4].split(",");
        int requests = Integer.parseInt(args[5]);
        HttpClient client = DaemonTls.client(home);
        SSLSocketFactory sockets = DaemonTls.context(home).getSocketFactory();
        List<SSLSocket> open = new ArrayList<>();
        try {
            int streams = 0;
            for (int i = 0; i < STREAMS; i++) {
                streams += attack(sockets, port, open, null, "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\n"
                        + "Authorization: Bearer " + viewers[i % viewers.length] + "\r\n\r\n") ? 1 : 0;
            }
            for (int i = 0; i < UPLOADS; i++) {
                attack(sockets, port, open, "127.0.1." + (1 + i), "POST /api/v1/nodes HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"id\": \"x");
            }
            Thread.sleep(1000);
            double[] ms = new double[requests];
            int late = 0;
            int done = 0;
            HttpRequest get = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/v1/nodes/" + node))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofMillis(TIMEOUT_MS)).build();
            for (int i = 0; i < requests && !(late == 3 && done == 3); i++, done++) {
                long start = System.nanoTime();
                try {
                    HttpResponse<String> r = client.send(get, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("GET answered " + r.statusCode() + ": " + r.body());
                    }
                    ms[i] = (System.nanoTime() - start) / 1e6;
                } catch (IOException e) { // timed out, or the connection was refused or cut
                    ms[i] = TIMEOUT_MS;
                    late++;
                }
            }
            if (late == done) {
                System.out.printf("with %d event streams open (of %d asked) and %d stalled uploads: the first %d GET"
                        + " /api/v1/nodes/ID were not answered within %d s (given up)%n", streams, STREAMS, UPLOADS,
                        done, TIMEOUT_MS / 1000);
                return;
            }
            ms = Arrays.copyOf(ms, done);
            Arrays.sort(ms);
            System.out.printf("with %d event streams open (of %d asked) and %d stalled uploads: GET /api/v1/nodes/ID"
                    + " %d times: median %.1f ms, p99 %.1f ms, max %.1f ms; not answered within %d s: %d%n", streams,
                    STREAMS, UPLOADS, done, ms[done / 2], ms[(int) Math.ceil(done * 0.99) - 1], ms[done - 1],
                    TIMEOUT_MS / 1000, late);
        } finally {
            for (SSLSocket s : open) {
                s.close();
            }
        }
    }

    /** Sends {@code request} on a new connection (from {@code from} unless null); whether it was answered 200. */
    private static boolean attack(SSLSocketFactory sockets, int port, List<SSLSocket> open, String from,
            String request) {
        try {
            SSLSocket s = (SSLSocket) sockets.createSocket();
            open.add(s);
            if (from != null) {
                s.bind(new InetSocketAddress(from, 0));
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(2_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (from != null) {
                return false; // an upload: its answer, if any, is not waited for
            }
            byte[] head = new byte[12];
            int n = s.getInputStream().readNBytes(head, 0, head.length);
            return new String(head, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false; // not answered (or not even connected) within the time: counted as not served
        }
    }
}
