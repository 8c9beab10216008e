package vagoth.registry.file.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import vagoth.support.io.Durable;
import vagoth.support.io.FileIo;

/**
 * Named blobs of each node, one file each under {@code blobs/<id>/}. Written
 * through a synced temporary file (whose name no blob name can have) and an
 * atomic rename.
 */
final class BlobStore {
    private final FileIo io;
    private final Path root;

    BlobStore(FileIo io, Path root) {
        this.io = io;
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
            boolean newRoot = !Files.isDirectory(root);
            io.createDirectories(dir);
            if (newRoot) {
                io.syncDirectory(root.getParent());
            }
            io.syncDirectory(root);
        }
        Durable.write(io, dir.resolve(name), data);
    }

    boolean delete(String id, String name) throws IOException {
        Path dir = root.resolve(id);
        boolean had = io.deleteIfExists(dir.resolve(name));
        if (had) {
            io.syncDirectory(dir);
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
                if (!Durable.isTemporary(n)) {
                    names.add(n);
                }
            }
        }
        return names;
    }

    /** Whether any node has blobs: a registry that lost its snapshot and log but kept blobs is not new. */
    boolean any() throws IOException {
        if (!Files.isDirectory(root)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            return ds.iterator().hasNext();
        }
    }

    /** Removes every blob of these nodes. */
    void clear(Set<String> ids) {
        for (String id : ids) {
            Path dir = root.resolve(id);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path p : ds) {
                        io.deleteIfExists(p);
                    }
                }
                io.deleteIfExists(dir);
                io.syncDirectory(root);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot remove blobs of " + id + " in " + dir, e);
            }
        }
    }
}
