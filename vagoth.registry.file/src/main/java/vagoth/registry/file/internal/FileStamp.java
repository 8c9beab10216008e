package vagoth.registry.file.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * Identity and extent of a file as last seen: which file (inode), how long,
 * when last written. If any differs, another writer has been at work.
 */
record FileStamp(Object fileKey, long size, FileTime modified) {
    static final FileStamp MISSING = new FileStamp("missing", -1, FileTime.fromMillis(0));

    static FileStamp of(Path path) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return new FileStamp(Objects.requireNonNullElse(a.fileKey(), "?"), a.size(), a.lastModifiedTime());
        } catch (NoSuchFileException e) {
            return MISSING;
        }
    }

    boolean sameFileAs(FileStamp other) {
        return fileKey.equals(other.fileKey);
    }
}
