package vagoth.registry.file.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import vagoth.api.Node;
import vagoth.api.RegistryCorruptException;

/**
 * The compacted registry: every node as of record {@code seq}, for log
 * generation {@code generation}. Written to a temporary file, synced, then
 * renamed into place, so a reader sees the old snapshot or the new, never a
 * partial one.
 */
final class SnapshotFile {
    static final String MAGIC = "vagoth-registry-snapshot";

    /** A loaded snapshot. */
    record Loaded(long generation, long seq, RegistryState state, long bytes) {
    }

    private SnapshotFile() {
    }

    static long write(Path path, long generation, long seq, RegistryState state) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                JsonWriter w = new JsonWriter(new OutputStreamWriter(new BufferedOutputStream(fos, 1 << 16),
                        StandardCharsets.UTF_8))) {
            w.beginObject();
            w.name(MAGIC).value(1);
            w.name("generation").value(generation);
            w.name("seq").value(seq);
            w.name("count").value(state.size());
            w.name("nodes").beginArray();
            for (Node n : state.nodes()) {
                NodeCodec.write(w, n);
            }
            w.endArray();
            w.endObject();
            w.flush();
            fos.getFD().sync();
        }
        Durable.move(tmp, path);
        return Files.size(path);
    }

    /** @return the snapshot, or null when there is none */
    static Loaded read(Path path) throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            return null;
        }
        long bytes = Files.size(path);
        NodeCodec codec = new NodeCodec();
        RegistryState state = new RegistryState();
        long generation = -1;
        long seq = -1;
        long count = -1;
        boolean magic = false;
        try (JsonReader r = new JsonReader(new InputStreamReader(new BufferedInputStream(raw, 1 << 16),
                StandardCharsets.UTF_8))) {
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case MAGIC -> magic = r.nextInt() == 1;
                    case "generation" -> generation = r.nextLong();
                    case "seq" -> seq = r.nextLong();
                    case "count" -> count = r.nextLong();
                    case "nodes" -> {
                        r.beginArray();
                        while (r.hasNext()) {
                            state.put(codec.read(r));
                        }
                        r.endArray();
                    }
                    default -> r.skipValue();
                }
            }
            r.endObject();
        } catch (IOException | IllegalStateException | NumberFormatException | JsonParseException e) {
            throw new RegistryCorruptException("Registry snapshot " + path + " is damaged (" + e.getMessage()
                    + "). Restore it from a backup; Vagoth will not start from a partial registry.", e);
        }
        if (!magic || generation < 0 || seq < 0) {
            throw new RegistryCorruptException("Registry snapshot " + path + " is not a Vagoth registry snapshot");
        }
        if (count != state.size()) {
            throw new RegistryCorruptException("Registry snapshot " + path + " says it holds " + count
                    + " nodes but " + state.size() + " were read");
        }
        return new Loaded(generation, seq, state, bytes);
    }
}
