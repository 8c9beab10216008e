package vagoth.registry.file.internal;

import java.nio.file.Path;
import java.util.zip.CRC32;

import vagoth.api.registry.RegistryCorruptException;
import vagoth.support.io.ChecksummedLine;

/**
 * The registry's checksums: its log and its snapshot's header are
 * {@link ChecksummedLine}s, its snapshot segments have a checksum per block;
 * every byte the registry reads back is checked, and damage is reported with
 * the file and the byte.
 */
final class Checksums {
    /** Segments are checked per block of this many bytes, so damage is located to a block. */
    static final int BLOCK = 64 * 1024;

    private Checksums() {
    }

    static int crc(byte[] b, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(b, from, length);
        return (int) crc.getValue();
    }

    /** {@code json} as a checksummed line ({@link ChecksummedLine}). */
    static byte[] line(String json) {
        return ChecksummedLine.encode(json);
    }

    /**
     * The body of the line in {@code b} from {@code start} to the newline at
     * {@code nl}, after checking its checksum.
     *
     * @param what   the file, for the message
     * @param offset the line's offset in that file, for the message
     */
    static String checkedBody(String what, Path file, byte[] b, int start, int nl, long offset) {
        try {
            return ChecksummedLine.decode(b, start, nl);
        } catch (ChecksummedLine.Damaged e) {
            throw damaged(what, file, offset, e.getMessage());
        }
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
