package vagoth.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Constants;

import vagoth.api.action.Action;

/** One node's actions never run at the same time in two processes sharing a home. */
class NodeClaimsTest {
    @TempDir
    Path dir;

    /** An action that notes when it starts and ends, in a file both processes append to. */
    static VagothManager manager(Path claims, Path log, String who, long sleepMs) {
        VagothManager m = new VagothManager("test", 0, claims);
        Action slow = (ctx, args) -> {
            note(log, who + " start " + args.get(Action.NODE_ARG));
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            note(log, who + " end " + args.get(Action.NODE_ARG));
            return null;
        };
        m.addAction(slow, Map.of(Action.NAME, "reboot", Constants.SERVICE_ID, 1L, Constants.SERVICE_RANKING, 0));
        return m;
    }

    static void note(Path log, String line) {
        try {
            Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The other process: reboots vm1 slowly. */
    public static final class Other {
        public static void main(String[] args) {
            manager(Path.of(args[0]), Path.of(args[1]), "other", 1500).action("reboot", Map.of(Action.NODE_ARG, "vm1"));
        }
    }

    @Test
    @Timeout(60)
    void anActionOnAClaimedNodeWaitsForTheOtherProcess() throws Exception {
        Path claims = dir.resolve("claims");
        Path log = dir.resolve("log");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Other.class.getName(), claims.toString(), log.toString())
                .inheritIO().start();
        while (!Files.exists(log) || !Files.readString(log).contains("other start vm1")) {
            Thread.sleep(10);
        }
        VagothManager here = manager(claims, log, "here", 0);
        here.action("reboot", Map.of(Action.NODE_ARG, "vm2")); // another node: not held up
        here.action("reboot", Map.of(Action.NODE_ARG, "vm1"));
        assertEquals(0, other.waitFor());
        assertEquals(List.of("other start vm1", "here start vm2", "here end vm2", "other end vm1", "here start vm1",
                "here end vm1"), Files.readAllLines(log));
    }
}
