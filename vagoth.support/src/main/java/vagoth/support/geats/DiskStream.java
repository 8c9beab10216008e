package vagoth.support.geats;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How a disk travels in the Geats protocol's stream mode ({@code agent
 * --stream}, for {@code export} and {@code import}): after the request line
 * (and, for {@code export}, the answer line) come frames, each a 4-byte
 * big-endian length and that many bytes of a tar archive, ended by a frame of
 * length 0; then one JSON line, the trailer: {@code {"bytes": N, "sha256":
 * "HEX"}} (or {@code {"error": ".."}} when the sender failed after it began).
 * The receiver compares the trailer with what it read; a stream that stops
 * before its trailer is not a disk.
 */
public final class DiskStream {
    /** The largest frame a sender writes and a receiver accepts. */
    public static final int MAX_FRAME = 1 << 20;
    /** The longest JSON line (request, answer, trailer) read in stream mode. */
    public static final int MAX_LINE = 1 << 20;

    private DiskStream() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static String hex(MessageDigest md) {
        return HexFormat.of().formatHex(md.digest());
    }

    /** Counts what passes, for progress. */
    @FunctionalInterface
    public interface Progress {
        void copied(long bytes);
    }

    /**
     * Writes all of {@code in} to {@code out} as frames, then the end frame;
     * {@code md} digests every byte. Returns how many bytes went.
     */
    public static long writeFrames(InputStream in, OutputStream out, MessageDigest md, Progress progress)
            throws IOException {
        byte[] buf = new byte[MAX_FRAME];
        long total = 0;
        for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0;) {
            header(out, n);
            out.write(buf, 0, n);
            md.update(buf, 0, n);
            total += n;
            progress.copied(total);
        }
        header(out, 0);
        out.flush();
        return total;
    }

    private static void header(OutputStream out, int n) throws IOException {
        out.write(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    }

    /**
     * Copies the frames from {@code in} to {@code out} up to the end frame;
     * {@code md} digests every byte. Returns how many bytes came.
     *
     * @throws IOException when the stream stops before the end frame or a
     *                     frame is larger than {@link #MAX_FRAME}
     */
    public static long readFrames(InputStream in, OutputStream out, MessageDigest md, Progress progress)
            throws IOException {
        byte[] buf = new byte[MAX_FRAME];
        long total = 0;
        while (true) {
            byte[] h = in.readNBytes(4);
            if (h.length < 4) {
                throw new IOException("the disk stream stopped after " + total + " bytes, before its end");
            }
            int n = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
            if (n == 0) {
                return total;
            }
            if (n < 0 || n > MAX_FRAME) {
                throw new IOException("a frame of " + (n & 0xffffffffL) + " bytes is not a disk stream's");
            }
            if (in.readNBytes(buf, 0, n) < n) {
                throw new IOException("the disk stream stopped inside a frame, after " + total + " bytes");
            }
            out.write(buf, 0, n);
            md.update(buf, 0, n);
            total += n;
            progress.copied(total);
        }
    }

    /** The trailer line for {@code bytes} with digest {@code sha256}. */
    public static String trailer(long bytes, String sha256) {
        return "{\"bytes\": " + bytes + ", \"sha256\": \"" + sha256 + "\"}";
    }

    /**
     * One line of {@code in}, read byte by byte so that nothing after it is
     * consumed; without its newline. Null at the end of the stream.
     */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0;) {
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("a line of over " + MAX_LINE + " bytes in a disk stream");
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }
}
