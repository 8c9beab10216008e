package vagoth.registry.file.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Named blobs of each node, one file each under {@code blobs/<id>/}. Written
 * through a synced temporary file and an atomic rename.
 */
final class BlobStore {
    private final Path root;

    BlobStore(Path root) {
        this.root = root;
    }

    Optional<byte[]> get(String id, String name) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(root.resolve(id).resolve(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    void put(String id, String name, byte[] data) throws IOException {
        Path dir = root.resolve(id);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Durable.syncDirectory(root);
        }
        Durable.write(dir.resolve(name), data);
    }

    boolean delete(String id, String name) throws IOException {
        Path dir = root.resolve(id);
        boolean had = Files.deleteIfExists(dir.resolve(name));
        if (had) {
            Durable.syncDirectory(dir);
        }
        return had;
    }

    Set<String> list(String id) throws IOException {
        Set<String> names = new TreeSet<>();
        Path dir = root.resolve(id);
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.endsWith(".tmp")) {
                    names.add(n);
                }
            }
        }
        return names;
    }

    /** Removes every blob of these nodes. */
    void clear(Set<String> ids) {
        for (String id : ids) {
            Path dir = root.resolve(id);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("Cannot remove blobs of " + id + " in " + dir, e);
            }
        }
    }
}
