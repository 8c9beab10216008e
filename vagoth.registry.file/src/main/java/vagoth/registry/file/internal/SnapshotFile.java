package vagoth.registry.file.internal;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import vagoth.api.Node;
import vagoth.api.RegistryCorruptException;

/**
 * The compacted registry: every node as of record {@code seq}, for log
 * generation {@code generation}. The nodes are spread over segment files
 * ({@code snapshot-<generation>-<i>.json}) so that opening a large registry
 * reads them in parallel; {@code snapshot.json} names the segments and is
 * renamed into place last, after every segment is synced, so a reader sees
 * the old snapshot or the new, never a partial one.
 */
final class SnapshotFile {
    static final String MAGIC = "vagoth-registry-snapshot";
    private static final int NODES_PER_SEGMENT = 20_000;
    private static final int MAX_SEGMENTS = 16;

    /** A loaded snapshot. */
    record Loaded(long generation, long seq, RegistryState state, long bytes) {
    }

    private record Segment(String file, long count) {
    }

    private SnapshotFile() {
    }

    /** @return the bytes written, all segments together */
    static long write(Path path, long generation, long seq, RegistryState state) throws IOException {
        Path dir = path.getParent();
        int total = state.size();
        int segments = Math.max(1, Math.min(MAX_SEGMENTS, (total + NODES_PER_SEGMENT - 1) / NODES_PER_SEGMENT));
        int perSegment = (total + segments - 1) / Math.max(1, segments);
        Iterator<Node> nodes = state.nodes().iterator();
        List<Segment> written = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < segments; i++) {
            String name = "snapshot-" + generation + "-" + i + ".json";
            Path tmp = dir.resolve(name + ".tmp");
            long count = 0;
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                    JsonWriter w = new JsonWriter(new OutputStreamWriter(new BufferedOutputStream(fos, 1 << 16),
                            StandardCharsets.UTF_8))) {
                w.beginArray();
                while (nodes.hasNext() && count < perSegment) {
                    NodeCodec.write(w, nodes.next());
                    count++;
                }
                w.endArray();
                w.flush();
                fos.getFD().sync();
            }
            Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            bytes += Files.size(dir.resolve(name));
            written.add(new Segment(name, count));
        }
        Durable.syncDirectory(dir);
        Durable.write(path, header(generation, seq, total, written));
        removeUnlisted(dir, written);
        return bytes;
    }

    private static byte[] header(long generation, long seq, int count, List<Segment> segments) throws IOException {
        StringWriter s = new StringWriter();
        try (JsonWriter w = new JsonWriter(s)) {
            w.beginObject();
            w.name(MAGIC).value(2);
            w.name("generation").value(generation);
            w.name("seq").value(seq);
            w.name("count").value(count);
            w.name("segments").beginArray();
            for (Segment seg : segments) {
                w.beginObject().name("file").value(seg.file()).name("count").value(seg.count()).endObject();
            }
            w.endArray();
            w.endObject();
        }
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Deletes segments of earlier snapshots (and of compactions a crash cut short). */
    private static void removeUnlisted(Path dir, List<Segment> keep) throws IOException {
        Set<String> names = new HashSet<>();
        keep.forEach(s -> names.add(s.file()));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "snapshot-*.json*")) {
            for (Path p : ds) {
                if (!names.contains(p.getFileName().toString())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** @return the snapshot, or null when there is none */
    static Loaded read(Path path) throws IOException {
        String headerText;
        try {
            headerText = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
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
        } catch (IOException | IllegalStateException | NumberFormatException | JsonParseException e) {
            throw new RegistryCorruptException("Registry snapshot " + path + " is damaged (" + e.getMessage()
                    + "). Restore it from a backup; Vagoth will not start from a partial registry.", e);
        }
        if (format != 2 || generation < 0 || seq < 0 || count < 0) {
            throw new RegistryCorruptException("Registry snapshot " + path + " is not a Vagoth registry snapshot");
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
        return new Loaded(generation, seq, state, bytes);
    }

    private static void readSegments(JsonReader r, List<Segment> into) throws IOException {
        r.beginArray();
        while (r.hasNext()) {
            String file = null;
            long count = -1;
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "file" -> file = r.nextString();
                    case "count" -> count = r.nextLong();
                    default -> r.skipValue();
                }
            }
            r.endObject();
            if (file == null || !file.matches("snapshot-[0-9]+-[0-9]+\\.json") || count < 0) {
                throw new IOException("a segment entry is malformed");
            }
            into.add(new Segment(file, count));
        }
        r.endArray();
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
                futures.add(pool.submit(() -> readSegment(dir.resolve(s.file()), s.count())));
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

    private static List<Node> readSegment(Path file, long count) throws IOException {
        String text;
        try {
            // one decode of the whole segment: much faster than a streaming decoder
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new RegistryCorruptException("Registry snapshot segment " + file + " is missing; restore it from a backup");
        }
        NodeCodec codec = new NodeCodec();
        List<Node> nodes = new ArrayList<>((int) Math.min(count, 1 << 20));
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.beginArray();
            while (r.hasNext()) {
                nodes.add(codec.read(r));
            }
            r.endArray();
        } catch (IOException | IllegalStateException | IllegalArgumentException | JsonParseException e) {
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
