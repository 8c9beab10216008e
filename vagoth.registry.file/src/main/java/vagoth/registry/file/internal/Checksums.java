package vagoth.registry.file.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.CRC32;

import vagoth.api.RegistryCorruptException;

/**
 * The registry's checksummed lines, {@code <crc32 hex> <json>\n}, used by the
 * log and by the snapshot's header, and the block checksums of snapshot
 * segments: every byte the registry reads back is checked.
 */
final class Checksums {
    static final int CRC_CHARS = 8;
    /** Segments are checked per block of this many bytes, so damage is located to a block. */
    static final int BLOCK = 64 * 1024;

    private Checksums() {
    }

    static int crc(byte[] b, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(b, from, length);
        return (int) crc.getValue();
    }

    /** {@code json} as a checksummed line. */
    static byte[] line(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[CRC_CHARS + 1 + body.length + 1];
        byte[] prefix = (HexFormat.of().toHexDigits(crc(body, 0, body.length)) + " ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, out, 0, CRC_CHARS + 1);
        System.arraycopy(body, 0, out, CRC_CHARS + 1, body.length);
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * The body of the line in {@code b} from {@code start} to the newline at
     * {@code nl}, after checking its checksum.
     *
     * @param what   the file, for the message
     * @param offset the line's offset in that file, for the message
     */
    static String checkedBody(String what, Path file, byte[] b, int start, int nl, long offset) {
        if (nl - start < CRC_CHARS + 1 || b[start + CRC_CHARS] != ' ') {
            throw damaged(what, file, offset, "the line has no checksum");
        }
        String crcText = new String(b, start, CRC_CHARS, StandardCharsets.US_ASCII);
        long want;
        try {
            want = Long.parseLong(crcText, 16);
        } catch (NumberFormatException e) {
            throw damaged(what, file, offset, "the checksum '" + crcText + "' is not hexadecimal");
        }
        int bodyStart = start + CRC_CHARS + 1;
        if ((int) want != crc(b, bodyStart, nl - bodyStart)) {
            throw damaged(what, file, offset, "checksum mismatch");
        }
        return new String(b, bodyStart, nl - bodyStart, StandardCharsets.UTF_8);
    }

    /** The checksum of each {@link #BLOCK} of {@code b}. */
    static int[] blocks(byte[] b, int length) {
        int[] out = new int[(length + BLOCK - 1) / BLOCK];
        for (int i = 0; i < out.length; i++) {
            int from = i * BLOCK;
            out[i] = crc(b, from, Math.min(BLOCK, length - from));
        }
        return out;
    }

    /** Checks {@code b} against its block checksums; damage is reported with the file and the block's bytes. */
    static void checkBlocks(Path file, byte[] b, int[] want) {
        int blocks = (b.length + BLOCK - 1) / BLOCK;
        if (blocks != want.length) {
            throw damaged("Registry snapshot segment", file, Math.min(b.length, (long) want.length * BLOCK),
                    "it holds " + b.length + " bytes, which is not what its snapshot lists (" + want.length
                            + " blocks of " + BLOCK + ")");
        }
        for (int i = 0; i < blocks; i++) {
            int from = i * BLOCK;
            int len = Math.min(BLOCK, b.length - from);
            if (crc(b, from, len) != want[i]) {
                throw damaged("Registry snapshot segment", file, from,
                        "checksum mismatch in bytes " + from + "-" + (from + len - 1));
            }
        }
    }

    static RegistryCorruptException damaged(String what, Path file, long offset, String why) {
        return new RegistryCorruptException(what + " " + file + " is damaged at byte " + offset + ": " + why
                + ". It was changed outside Vagoth or the disk is failing; restore it from a backup"
                + (what.contains("log") ? ", or truncate it at that byte to give up this and every later change." : "."));
    }
}
