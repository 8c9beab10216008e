package vagoth.registry.file.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import vagoth.api.Node;
import vagoth.api.registry.RegistryCorruptException;
import vagoth.support.io.Durable;
import vagoth.support.io.FileIo;
import vagoth.support.registry.RegistryState;

/**
 * The compacted registry: every node as of record {@code seq}, for log
 * generation {@code generation}. The nodes are spread over segment files
 * ({@code snapshot-<generation>-<i>.json}, JSON arrays) so that opening a
 * large registry reads them in parallel; {@code snapshot.json}, one
 * checksummed line, names the segments with their sizes and the checksum of
 * every {@link Checksums#BLOCK} of them, and is renamed into place last, after
 * every segment is synced, so a reader sees the old snapshot or the new,
 * never a partial one, and any damaged byte is found.
 */
final class SnapshotFile {
    static final String MAGIC = "vagoth-registry-snapshot";
    private static final int FORMAT = 3;
    /** Written before checksums existed: read, then rewritten at once. */
    private static final int LEGACY_FORMAT = 2;
    private static final int NODES_PER_SEGMENT = 8_000;
    private static final int MAX_SEGMENTS = 16;
    private static final Pattern SEGMENT = Pattern.compile("snapshot-[0-9]+-[0-9]+\\.json");

    /** A loaded snapshot; {@code legacy} when it has no checksums and should be rewritten. */
    record Loaded(long generation, long seq, RegistryState state, long bytes, boolean legacy) {
    }

    private record Segment(String file, long count, long bytes, int[] blocks) {
    }

    private SnapshotFile() {
    }

    /** Whether {@code fileName} is a snapshot segment (of any generation). */
    static boolean isSegment(String fileName) {
        return SEGMENT.matcher(fileName).matches();
    }

    /** @return the bytes written, all segments together */
    static long write(FileIo io, Path path, long generation, long seq, RegistryState state) throws IOException {
        Path dir = path.getParent();
        int total = state.size();
        int segments = Math.max(1, Math.min(MAX_SEGMENTS, (total + NODES_PER_SEGMENT - 1) / NODES_PER_SEGMENT));
        int perSegment = (total + segments - 1) / Math.max(1, segments);
        Iterator<Node> nodes = state.nodes().iterator();
        List<Segment> written = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < segments; i++) {
            String name = "snapshot-" + generation + "-" + i + ".json";
            ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 16);
            long count = 0;
            try (JsonWriter w = new JsonWriter(new OutputStreamWriter(buf, StandardCharsets.UTF_8))) {
                w.beginArray();
                while (nodes.hasNext() && count < perSegment) {
                    NodeCodec.write(w, nodes.next());
                    count++;
                }
                w.endArray();
            }
            byte[] data = buf.toByteArray();
            Path tmp = Durable.temporaryFor(dir.resolve(name));
            try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                Durable.writeFully(ch, ByteBuffer.wrap(data), 0);
                ch.force(true);
            }
            io.move(tmp, dir.resolve(name));
            bytes += data.length;
            written.add(new Segment(name, count, data.length, Checksums.blocks(data, data.length)));
        }
        io.syncDirectory(dir);
        Durable.write(io, path, header(generation, seq, total, written));
        removeUnlisted(io, dir, written);
        return bytes;
    }

    private static byte[] header(long generation, long seq, int count, List<Segment> segments) throws IOException {
        StringWriter s = new StringWriter();
        try (JsonWriter w = new JsonWriter(s)) {
            w.beginObject();
            w.name(MAGIC).value(FORMAT);
            w.name("generation").value(generation);
            w.name("seq").value(seq);
            w.name("count").value(count);
            w.name("segments").beginArray();
            for (Segment seg : segments) {
                w.beginObject().name("file").value(seg.file()).name("count").value(seg.count())
                        .name("bytes").value(seg.bytes()).name("blocks").beginArray();
                for (int crc : seg.blocks()) {
                    w.value(HexFormat.of().toHexDigits(crc));
                }
                w.endArray().endObject();
            }
            w.endArray();
            w.endObject();
        }
        return Checksums.line(s.toString());
    }

    /** Deletes segments of earlier snapshots, and temporary files of compactions a crash cut short. */
    private static void removeUnlisted(FileIo io, Path dir, List<Segment> keep) throws IOException {
        Set<String> names = new HashSet<>();
        keep.forEach(s -> names.add(s.file()));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if ((isSegment(n) || Durable.isTemporary(n) && n.startsWith(".snapshot-")) && !names.contains(n)) {
                    io.deleteIfExists(p);
                }
            }
        }
    }

    /** @return the snapshot, or null when there is none */
    static Loaded read(Path path) throws IOException {
        byte[] headerBytes;
        try {
            headerBytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return null;
        }
        boolean legacy = headerBytes.length > 0 && headerBytes[0] == '{';
        String headerText;
        if (legacy) {
            headerText = new String(headerBytes, StandardCharsets.UTF_8);
        } else {
            int nl = headerBytes.length - 1;
            if (nl < 0 || headerBytes[nl] != '\n') {
                throw Checksums.damaged("Registry snapshot", path, Math.max(0, nl), "the header line is incomplete");
            }
            headerText = Checksums.checkedBody("Registry snapshot", path, headerBytes, 0, nl, 0);
        }
        long generation = -1;
        long seq = -1;
        long count = -1;
        int format = 0;
        List<Segment> segments = new ArrayList<>();
        try (JsonReader r = new JsonReader(new StringReader(headerText))) {
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case MAGIC -> format = r.nextInt();
                    case "generation" -> generation = r.nextLong();
                    case "seq" -> seq = r.nextLong();
                    case "count" -> count = r.nextLong();
                    case "segments" -> readSegments(r, segments);
                    default -> r.skipValue();
                }
            }
            r.endObject();
        } catch (IOException | IllegalStateException | IllegalArgumentException | JsonParseException e) {
            throw new RegistryCorruptException("Registry snapshot " + path + " is damaged (" + e.getMessage()
                    + "). Restore it from a backup; Vagoth will not start from a partial registry.", e);
        }
        if (format != (legacy ? LEGACY_FORMAT : FORMAT) || generation < 0 || seq < 0 || count < 0) {
            throw new RegistryCorruptException("Registry snapshot " + path + " is not a Vagoth registry snapshot"
                    + " of a format this version reads (format " + format + ")");
        }
        RegistryState state = new RegistryState((int) count);
        long read = readSegments(path.getParent(), segments, state);
        long bytes = 0;
        for (Segment seg : segments) {
            bytes += Files.size(path.getParent().resolve(seg.file()));
        }
        if (read != count || state.size() != count) {
            throw new RegistryCorruptException("Registry snapshot " + path + " says it holds " + count
                    + " nodes but its segments hold " + read + " (" + state.size() + " distinct)");
        }
        return new Loaded(generation, seq, state, bytes, legacy);
    }

    private static void readSegments(JsonReader r, List<Segment> into) throws IOException {
        r.beginArray();
        while (r.hasNext()) {
            String file = null;
            long count = -1;
            long bytes = -1;
            int[] blocks = null;
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "file" -> file = r.nextString();
                    case "count" -> count = r.nextLong();
                    case "bytes" -> bytes = r.nextLong();
                    case "blocks" -> blocks = readBlocks(r);
                    default -> r.skipValue();
                }
            }
            r.endObject();
            if (file == null || !isSegment(file) || count < 0) {
                throw new IOException("a segment entry is malformed");
            }
            into.add(new Segment(file, count, bytes, blocks));
        }
        r.endArray();
    }

    private static int[] readBlocks(JsonReader r) throws IOException {
        List<Integer> crcs = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            crcs.add((int) Long.parseLong(r.nextString(), 16));
        }
        r.endArray();
        return crcs.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Parses the segments in parallel and adds their nodes to {@code state} in
     * segment order, each as soon as it is parsed, while later ones still are.
     *
     * @return how many nodes were read
     */
    private static long readSegments(Path dir, List<Segment> segments, RegistryState state) throws IOException {
        int threads = Math.max(1, Math.min(segments.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vagoth-registry-load");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<List<Node>>> futures = new ArrayList<>();
            for (Segment s : segments) {
                futures.add(pool.submit(() -> readSegment(dir.resolve(s.file()), s)));
            }
            long read = 0;
            for (Future<List<Node>> f : futures) {
                List<Node> nodes = f.get();
                for (Node n : nodes) {
                    state.put(n);
                }
                read += nodes.size();
            }
            return read;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the registry snapshot", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RegistryCorruptException rce) {
                throw rce;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Node> readSegment(Path file, Segment segment) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RegistryCorruptException("Registry snapshot segment " + file + " is missing; restore it from a backup");
        }
        if (segment.bytes() >= 0 && bytes.length != segment.bytes()) {
            throw Checksums.damaged("Registry snapshot segment", file, Math.min(bytes.length, segment.bytes()),
                    "it holds " + bytes.length + " bytes where its snapshot lists " + segment.bytes());
        }
        if (segment.blocks() != null) {
            Checksums.checkBlocks(file, bytes, segment.blocks());
        }
        long count = segment.count();
        List<Node> nodes;
        try {
            nodes = new SegmentParser(bytes).nodes((int) Math.min(count, 1 << 20));
        } catch (IOException | IllegalArgumentException e) {
            throw new RegistryCorruptException("Registry snapshot segment " + file + " is damaged (" + e.getMessage()
                    + "). Restore it from a backup; Vagoth will not start from a partial registry.", e);
        }
        if (nodes.size() != count) {
            throw new RegistryCorruptException("Registry snapshot segment " + file + " holds " + nodes.size()
                    + " nodes where its snapshot lists " + count);
        }
        return nodes;
    }
}
