package vagoth.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Directory trees the agent unpacks and removes (symbolic links inside are removed, never followed). */
final class Trees {
    private Trees() {
    }

    /** Removes {@code dir} and all in it; nothing when it is not there. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    /** Removes {@code dir} as far as it can; what is left stays for a later {@link #delete} to finish. */
    static void deleteLeaving(Path dir) {
        try {
            delete(dir);
        } catch (IOException e) {
            // left behind, hidden: the caller says who removes it
        }
    }

    /** {@code tar} writing the contents of {@code dir} to its standard output, owners and attributes kept. */
    static List<String> pack(Path dir) {
        return List.of("tar", "--numeric-owner", "--xattrs", "--acls", "-C", dir.toString(), "-cf", "-", ".");
    }

    /** {@code tar} unpacking its standard input into {@code dir}, owners, modes and attributes kept. */
    static List<String> unpack(Path dir) {
        return List.of("tar", "--numeric-owner", "--xattrs", "--acls", "-C", dir.toString(), "-xpf", "-");
    }
}
