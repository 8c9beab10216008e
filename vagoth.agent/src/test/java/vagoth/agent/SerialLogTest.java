package vagoth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SerialLogTest {
    @TempDir
    Path dir;

    @Test
    void theLastLinesAreShownWithoutWhatATerminalWouldActOn() throws Exception {
        Path log = dir.resolve("serial.log");
        assertEquals(List.of(), SerialLog.tail(log, 10), "no log yet: nothing printed");
        Files.writeString(log, "boot\r\n\u001b[1;32mOK\u001b[0m tick 1\r\n\u001b]0;title\u0007tick 2\u0008\u0007\n"
                + "half", StandardCharsets.UTF_8);
        assertEquals(List.of("boot", "OK tick 1", "tick 2", "half"), SerialLog.tail(log, 10));
        assertEquals(List.of("tick 2", "half"), SerialLog.tail(log, 2));
    }

    @Test
    void aLongLogIsReadOnlyFromItsEndAndItsCutLineLeftOut() throws Exception {
        Path log = dir.resolve("serial.log");
        StringBuilder b = new StringBuilder();
        int n = 0;
        while (b.length() < 3 * SerialLog.READ) {
            b.append("line ").append(n++).append(" of a guest that has run a long time\n");
        }
        Files.writeString(log, b);
        List<String> all = SerialLog.tail(log, 1_000_000);
        assertEquals("line " + (n - 1) + " of a guest that has run a long time", all.get(all.size() - 1));
        assertTrue(all.size() < n / 2, "only the end was read: " + all.size() + " of " + n);
        assertTrue(all.get(0).startsWith("line ") && all.get(0).endsWith("long time"), "no half line: " + all.get(0));
    }
}
