package vagoth.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * A fault between an agent and the driver, as a process of its own:
 * {@code StreamTamper flip N -- AGENT...} runs the agent and passes its
 * output on with byte N changed; {@code StreamTamper stall N -- AGENT...}
 * passes on N bytes and then nothing, holding the stream open;
 * {@code StreamTamper flip-in N -- AGENT...} changes byte N of what goes in
 * to the agent instead. Otherwise input goes to the agent unchanged.
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
            try (OutputStream to = new java.io.BufferedOutputStream(p.getOutputStream());
                    InputStream stdin = new java.io.BufferedInputStream(System.in)) {
                long m = 0;
                for (int b; (b = stdin.read()) >= 0; m++) {
                    to.write(mode.equals("flip-in") && m == at ? b ^ 0x5a : b);
                    if (stdin.available() == 0) {
                        to.flush(); // nothing more yet: what came must reach the agent
                    }
                }
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
            if (n == at && !mode.equals("flip-in")) {
                if (mode.equals("stall")) {
                    out.flush();
                    Thread.sleep(600_000);
                }
                b ^= 0x5a;
            }
            out.write(b);
            if (from.available() == 0) {
                out.flush();
            }
        }
        out.flush();
        System.exit(p.waitFor());
    }
}
