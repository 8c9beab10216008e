package vagoth.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** What a terminal shows after {@code written}: carriage return, new line, erase to end, cursor up N lines. */
    private static List<String> screen(String written) {
        List<StringBuilder> rows = new ArrayList<>(List.of(new StringBuilder()));
        int row = 0;
        int col = 0;
        Matcher m = Pattern.compile("\u001b\\[([0-9]*)([FK])|\r|\n|[^\u001b\r\n]").matcher(written);
        while (m.find()) {
            String t = m.group();
            if (t.equals("\r")) {
                col = 0;
            } else if (t.equals("\n")) {
                row++;
                col = 0;
                if (row == rows.size()) {
                    rows.add(new StringBuilder());
                }
            } else if ("F".equals(m.group(2))) {
                row = Math.max(0, row - Integer.parseInt(m.group(1)));
                col = 0;
            } else if ("K".equals(m.group(2))) {
                rows.get(row).setLength(col);
            } else {
                StringBuilder r = rows.get(row);
                if (col < r.length()) {
                    r.setCharAt(col, t.charAt(0));
                } else {
                    r.append(t);
                }
                col++;
            }
        }
        return rows.stream().map(StringBuilder::toString).toList();
    }

    @Test
    void anEvacuationsLinesAreRewrittenInPlaceAndClearedAtTheEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(out, true, StandardCharsets.UTF_8);
        Progress.redraw(err, 0, List.of("migrate a: 1 MiB sent"));
        Progress.redraw(err, 1, List.of("migrate a: 2 MiB sent", "migrate b: 5 MiB sent", "migrate c: 1 MiB"));
        assertEquals(List.of("migrate a: 2 MiB sent", "migrate b: 5 MiB sent", "migrate c: 1 MiB"),
                screen(out.toString(StandardCharsets.UTF_8)));
        Progress.redraw(err, 3, List.of("migrate b: 9 MiB sent", "migrate c: 2 MiB"));
        assertEquals(List.of("migrate b: 9 MiB sent", "migrate c: 2 MiB", ""), screen(out.toString(
                StandardCharsets.UTF_8)));
        Progress.redraw(err, 2, List.of());
        err.print("evacuate: done");
        assertEquals(List.of("evacuate: done", "", ""), screen(out.toString(StandardCharsets.UTF_8)),
                "the lines are gone and what the command prints next starts where the first was");
    }
}
