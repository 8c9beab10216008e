package vagoth.dist;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * {@code vagoth console VM}: this process, which has the terminal, reaches
 * the guest's serial console through its hypervisor's agent in stream mode
 * (so an agent over ssh works as it is). Where the agent is comes from the
 * {@code console --where} command, run as any other (by the daemon, or here).
 * On a terminal, the terminal is raw while attached (restored after, also on
 * Ctrl-C) and the guest's bytes pass through as they are; without one,
 * control characters are shown escaped, so no guest output can drive the
 * reader's terminal. Ctrl-] leaves.
 */
final class SerialConsole {
    private static final int ESCAPE = 0x1d;

    private SerialConsole() {
    }

    /** Runs a command of Vagoth's and captures what it prints: its status and standard output. */
    interface Runner {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    static int attach(String[] args, Runner runner, PrintStream out, PrintStream err) {
        if (args.length != 2 || args[1].startsWith("-")) {
            err.println("console: usage: console VM (Ctrl-] leaves)");
            return OneShot.USAGE;
        }
        ByteArrayOutputStream found = new ByteArrayOutputStream();
        int status = runner.run(new String[] {"console", "--where", args[1]}, new PrintStream(found, true,
                StandardCharsets.UTF_8), err);
        if (status != 0) {
            return status;
        }
        JsonObject where;
        List<String> argv = new ArrayList<>();
        try {
            where = JsonParser.parseString(found.toString(StandardCharsets.UTF_8).trim()).getAsJsonObject();
            for (JsonElement e : where.getAsJsonArray("agent")) {
                argv.add(e.getAsString());
            }
        } catch (RuntimeException e) {
            err.println("console: " + args[1] + ": cannot tell where its console is: " + found.toString(
                    StandardCharsets.UTF_8).trim());
            return OneShot.FAILED;
        }
        argv.add("--stream");
        String vm = where.get("vm").getAsString();
        String hv = where.get("hypervisor").getAsString();
        Process agent;
        try {
            agent = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            err.println("console: cannot run the agent of " + hv + " (" + argv.get(0) + "): " + e.getMessage());
            return OneShot.FAILED;
        }
        try {
            OutputStream toAgent = agent.getOutputStream();
            JsonObject request = new JsonObject();
            request.addProperty("action", "console");
            request.addProperty("hypervisor", hv);
            JsonObject data = new JsonObject();
            data.addProperty("vm_name", vm);
            request.add("data", data);
            toAgent.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            toAgent.flush();
            InputStream fromAgent = agent.getInputStream();
            String answer = readLine(fromAgent);
            JsonObject a = answer == null ? null : JsonParser.parseString(answer).getAsJsonObject();
            if (a == null || !a.has("success") || !a.get("success").getAsBoolean()) {
                err.println("console: " + args[1] + ": " + (a == null ? "the agent of " + hv + " said nothing"
                        : a.has("message") ? a.get("message").getAsString() : answer));
                return OneShot.FAILED;
            }
            boolean terminal = Launcher.isTerminal();
            String saved = terminal ? stty("-g") : null;
            err.print("vagoth: attached to the console of " + args[1] + " on " + hv + "; Ctrl-] leaves"
                    + (terminal ? "\r\n" : "\n"));
            err.flush();
            if (terminal) {
                stty("raw", "-echo");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> stty(saved)));
            }
            try {
                Thread pump = new Thread(() -> copy(fromAgent, out, terminal), "vagoth-console-out");
                pump.setDaemon(true);
                pump.start();
                byte[] buf = new byte[1024];
                for (int n; (n = System.in.read(buf)) > 0;) {
                    int upTo = n;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == ESCAPE) {
                            upTo = i;
                            break;
                        }
                    }
                    toAgent.write(buf, 0, upTo);
                    toAgent.flush();
                    if (upTo < n) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the agent went away: the console ends
            } finally {
                if (terminal) {
                    stty(saved);
                }
            }
            err.println((terminal ? "\r\n" : "\n") + "vagoth: left the console of " + args[1]);
            return OneShot.OK;
        } catch (IOException | RuntimeException e) {
            err.println("console: " + args[1] + ": " + e.getMessage());
            return OneShot.FAILED;
        } finally {
            agent.destroy();
        }
    }

    /** The guest's bytes: as they are to a terminal; control characters escaped to anything else. */
    private static void copy(InputStream in, PrintStream out, boolean terminal) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0;) {
                if (terminal) {
                    out.write(buf, 0, n);
                } else {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        int c = buf[i] & 0xff;
                        if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f)) {
                            b.append((char) c);
                        } else if (c != '\r') {
                            b.append(String.format("\\x%02x", c));
                        }
                    }
                    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
            }
        } catch (IOException e) {
            // the console ended
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0;) {
            if (c == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(c);
            if (line.size() > 1 << 20) {
                throw new IOException("the agent's answer is over 1 MiB");
            }
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /** Runs {@code stty} on the terminal; its output (for {@code -g}), or null when it failed. */
    private static String stty(String... args) {
        if (args.length == 1 && args[0] == null) {
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of("stty"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? s : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
