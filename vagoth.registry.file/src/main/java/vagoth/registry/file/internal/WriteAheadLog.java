package vagoth.registry.file.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import vagoth.api.registry.RegistryCorruptException;

/**
 * The format of the write-ahead log: one checksummed line per record ({@link Checksums#line}).
 * The first line is a header naming the generation (the snapshot the log
 * continues). A last line without its newline is an unfinished write that was
 * never acknowledged; any other damaged line is corruption and is reported.
 */
final class WriteAheadLog {
    static final String MAGIC = "vagoth-registry-log";

    private WriteAheadLog() {
    }

    /** What a read found. {@code end} is the offset just after the last complete line. */
    record Read(List<LogRecord> records, long end, long fileSize) {
    }

    static byte[] header(long generation) {
        return Checksums.line("{\"" + MAGIC + "\":1,\"generation\":" + generation + "}");
    }

    static byte[] encode(LogRecord r) throws IOException {
        StringWriter s = new StringWriter(256);
        try (JsonWriter w = new JsonWriter(s)) {
            w.beginObject().name("seq").value(r.seq());
            if (r.put() != null) {
                w.name("put");
                NodeCodec.write(w, r.put());
            } else {
                w.name("delete").value(r.deleted());
            }
            w.endObject();
        }
        return Checksums.line(s.toString());
    }

    /**
     * Reads the header.
     *
     * @return the generation, and the header's length in {@code [1]}
     */
    static long[] readHeader(Path path, FileChannel ch) throws IOException {
        byte[] first = readRange(ch, 0, Math.min(ch.size(), 256));
        int nl = indexOf(first, 0, first.length);
        if (nl < 0) {
            throw new RegistryCorruptException("Registry log " + path + " has no complete header line ("
                    + ch.size() + " bytes); it was truncated or is not a Vagoth registry log");
        }
        String json = Checksums.checkedBody("Registry log", path, first, 0, nl, 0);
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            long generation = -1;
            boolean magic = false;
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (name.equals(MAGIC)) {
                    magic = r.nextInt() == 1;
                } else if (name.equals("generation")) {
                    generation = r.nextLong();
                } else {
                    r.skipValue();
                }
            }
            if (!magic || generation < 0) {
                throw new RegistryCorruptException("Registry log " + path + " has an unknown header: " + json);
            }
            return new long[] {generation, nl + 1};
        } catch (IllegalStateException | NumberFormatException | com.google.gson.JsonParseException e) {
            throw new RegistryCorruptException("Registry log " + path + " has an unreadable header: " + json, e);
        }
    }

    /** Reads every complete record from {@code from} on, checking checksums and sequence. */
    static Read read(Path path, FileChannel ch, long from, long nextSeq, NodeCodec codec) throws IOException {
        long size = ch.size();
        byte[] bytes = readRange(ch, from, size);
        List<LogRecord> records = new ArrayList<>();
        int pos = 0;
        long expected = nextSeq;
        while (pos < bytes.length) {
            int nl = indexOf(bytes, pos, bytes.length);
            if (nl < 0) {
                break; // unfinished last write: never acknowledged
            }
            long offset = from + pos;
            String json = Checksums.checkedBody("Registry log", path, bytes, pos, nl, offset);
            LogRecord r = decode(path, json, offset, codec);
            if (r.seq() != expected) {
                throw new RegistryCorruptException("Registry log " + path + " is damaged at byte " + offset
                        + ": record " + r.seq() + " where " + expected + " was expected");
            }
            records.add(r);
            expected++;
            pos = nl + 1;
        }
        return new Read(records, from + pos, size);
    }

    private static LogRecord decode(Path path, String json, long offset, NodeCodec codec) {
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            long seq = -1;
            LogRecord rec = null;
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "seq" -> seq = r.nextLong();
                    case "put" -> rec = LogRecord.put(0, codec.read(r));
                    case "delete" -> rec = LogRecord.delete(0, r.nextString());
                    default -> r.skipValue();
                }
            }
            r.endObject();
            if (seq < 0 || rec == null || r.peek() != JsonToken.END_DOCUMENT) {
                throw damaged(path, offset, "the record is incomplete");
            }
            return new LogRecord(seq, rec.put(), rec.deleted());
        } catch (IOException | RuntimeException e) {
            if (e instanceof RegistryCorruptException rce) {
                throw rce;
            }
            throw damaged(path, offset, "unreadable record (" + e.getMessage() + ")");
        }
    }

    static RegistryCorruptException damaged(Path path, long offset, String what) {
        return Checksums.damaged("Registry log", path, offset, what);
    }

    static byte[] readRange(FileChannel ch, long from, long to) throws IOException {
        long len = Math.max(0, to - from);
        if (len > Integer.MAX_VALUE - 16) {
            throw new IOException("registry log too large to read at once: " + len + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) len);
        long pos = from;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        return buf.position() == buf.capacity() ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    private static int indexOf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
