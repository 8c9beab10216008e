package vagoth.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The end of a guest's serial log as text to show, not to replay: what a
 * terminal would act on (escape sequences, other control characters) is left
 * out, the rest kept as printed. Only the file's last {@link #READ} bytes are
 * read, however long the log has grown.
 */
final class SerialLog {
    /** The bytes read from the end of the log at most. */
    static final int READ = 256 << 10;
    /** CSI and OSC sequences, other two-character escapes, and control characters but the tab. */
    private static final Pattern TERMINAL = Pattern.compile(
            "\u001b\\[[0-?]*[ -/]*[@-~]|\u001b\\][^\u0007\u001b]*(?:\u0007|\u001b\\\\)?|\u001b.?|[\\x00-\\x08\\x0b-\\x1f\\x7f]");

    private SerialLog() {
    }

    /** The last {@code lines} lines of {@code log} (none when there is no log yet), oldest first. */
    static List<String> tail(Path log, int lines) throws AgentException {
        byte[] end;
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long size = f.length();
            int n = (int) Math.min(size, READ);
            end = new byte[n];
            f.seek(size - n);
            f.readFully(end);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            if (!Files.exists(log)) {
                return List.of();
            }
            throw new AgentException("io_error", "cannot read the serial log " + log + ": " + e.getMessage());
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot read the serial log " + log + ": " + e.getMessage());
        }
        String text = new String(end, StandardCharsets.UTF_8).replace("\r\n", "\n");
        List<String> all = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
            all.remove(all.size() - 1); // the last line ended
        }
        if (end.length == READ && !all.isEmpty()) {
            all.remove(0); // cut where the read began
        }
        return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                .map(l -> TERMINAL.matcher(l).replaceAll(""))
                .toList();
    }
}
