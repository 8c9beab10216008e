package vagoth.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void theLastProgressStepMakesTheLine() {
        assertNull(Progress.line("vm1", List.of("migrating live from a to b (they share storage)")));
        assertEquals("migrate vm1: memory 17 MiB sent, 236 MiB left, 1000 Mbit/s, about 2 s left",
                Progress.line("vm1", List.of("progress: disk 1 bytes sent, 2 left",
                        "progress: memory 17888018 bytes sent, 247992320 left, 1000 Mbit/s", "ready on b")));
        assertEquals("migrate vm1: disk 1.5 GiB sent, 0 MiB left", Progress.line("vm1",
                List.of("progress: disk 1610612736 bytes sent, 0 left")));
        assertEquals("migrate vm1: disk 393 MiB copied", Progress.line("vm1",
                List.of("copying its disk: 412090368 bytes so far")));
    }
}
