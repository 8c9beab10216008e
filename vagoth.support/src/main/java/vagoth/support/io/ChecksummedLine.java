package vagoth.support.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * One record per line, {@code <crc32 as 8 hex digits> <text>\n}: the format
 * of Vagoth's append-only logs (the registry's and the job records'), so a
 * damaged byte anywhere in a record is found when it is read back.
 */
public final class ChecksummedLine {
    private static final int CRC_CHARS = 8;

    private ChecksummedLine() {
    }

    /** A line that is not what was written; the message says why. */
    public static final class Damaged extends IOException {
        private static final long serialVersionUID = 1L;

        Damaged(String why) {
            super(why);
        }
    }

    static int crc(byte[] b, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(b, from, length);
        return (int) crc.getValue();
    }

    /** {@code text} as a checksummed line, newline included. */
    public static byte[] encode(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[CRC_CHARS + 1 + body.length + 1];
        byte[] prefix = (HexFormat.of().toHexDigits(crc(body, 0, body.length)) + " ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, out, 0, CRC_CHARS + 1);
        System.arraycopy(body, 0, out, CRC_CHARS + 1, body.length);
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * The text of the line in {@code b} from {@code start} to the newline at
     * {@code nl}, once its checksum is checked.
     *
     * @throws Damaged saying what is wrong with it
     */
    public static String decode(byte[] b, int start, int nl) throws Damaged {
        if (nl - start < CRC_CHARS + 1 || b[start + CRC_CHARS] != ' ') {
            throw new Damaged("the line has no checksum");
        }
        String crcText = new String(b, start, CRC_CHARS, StandardCharsets.US_ASCII);
        long want;
        try {
            want = Long.parseLong(crcText, 16);
        } catch (NumberFormatException e) {
            throw new Damaged("the checksum '" + crcText + "' is not hexadecimal");
        }
        int bodyStart = start + CRC_CHARS + 1;
        if ((int) want != crc(b, bodyStart, nl - bodyStart)) {
            throw new Damaged("checksum mismatch");
        }
        return new String(b, bodyStart, nl - bodyStart, StandardCharsets.UTF_8);
    }
}
