package vagoth.driver.geats.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * A fault between an agent and the driver, as a process of its own:
 * {@code StreamTamper flip N -- AGENT...} runs the agent and passes its
 * output on with byte N changed; {@code StreamTamper stall N -- AGENT...}
 * passes on N bytes and then nothing, holding the stream open. Input goes to
 * the agent unchanged.
 */
public final class StreamTamper {
    private StreamTamper() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long at = Long.parseLong(args[1]);
        List<String> agent = Arrays.asList(args).subList(3, args.length);
        Process p = new ProcessBuilder(agent).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread in = new Thread(() -> {
            try (OutputStream to = p.getOutputStream()) {
                System.in.transferTo(to);
            } catch (Exception e) {
                // the agent stopped reading
            }
        });
        in.setDaemon(true);
        in.start();
        InputStream from = p.getInputStream();
        OutputStream out = System.out;
        long n = 0;
        for (int b; (b = from.read()) >= 0; n++) {
            if (n == at) {
                if (mode.equals("stall")) {
                    out.flush();
                    Thread.sleep(600_000);
                }
                b ^= 0x5a;
            }
            out.write(b);
        }
        out.flush();
        System.exit(p.waitFor());
    }
}
