package vagoth.dist;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Whether the thin client's class-data-sharing archive still holds, checked
 * after the command so it costs the command nothing, and made again for the
 * home in the background when it does not. {@code bin/vagoth} only picks an
 * archive newer than the build (a fork of {@code stat} per command would cost
 * more than the check); the JVM itself refuses one made by another JDK or for
 * other jars, silently. The key is the one {@code bin/vagoth}'s
 * {@code thin_key} writes beside an archive it makes: where the distribution
 * is, then device, inode, size and modification second of the JDK's
 * {@code java}, the build stamp and the thin client's jar.
 */
final class ThinArchive {
    private ThinArchive() {
    }

    /**
     * Starts {@code bin/vagoth --make-thin-archive} in the background unless
     * the archive {@code bin/vagoth} gave this JVM ({@code -Dvagoth.cds}, the
     * path without {@code .jsa}; empty for none) carries this key. Without
     * {@code -Dvagoth.cds} (not started by {@code bin/vagoth}) does nothing.
     */
    static void remakeIfStale(VagothHome home) {
        String archive = System.getProperty("vagoth.cds");
        String dist = System.getProperty("vagoth.dist");
        String java = System.getProperty("vagoth.java");
        if (archive == null || dist == null || java == null) {
            return;
        }
        if (!archive.isEmpty() && held(archive + ".key", key(dist, java))) {
            return;
        }
        ProcessBuilder maker = new ProcessBuilder("setsid", dist + "/bin/vagoth", "--make-thin-archive")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        maker.environment().put("VAGOTH_HOME", home.root().toString());
        try {
            maker.start();
        } catch (IOException e) {
            Trace.failure(e, System.err); // the next command tries again; this one ran
        }
    }

    /** {@code bin/vagoth}'s {@code thin_key}: {@code stat -L --printf '%d:%i %s %Y;'} of each file there is. */
    static String key(String dist, String java) {
        StringBuilder key = new StringBuilder(dist).append(';');
        String[] files = {java, dist + "/.built", dist + "/lib/vagoth.dist.jar"};
        for (String f : files) {
            try {
                Map<String, Object> a = Files.readAttributes(Path.of(f), "unix:dev,ino,size,lastModifiedTime");
                key.append(a.get("dev")).append(':').append(a.get("ino")).append(' ').append(a.get("size"))
                        .append(' ').append(((FileTime) a.get("lastModifiedTime")).toMillis() / 1000).append(';');
            } catch (IOException | UnsupportedOperationException e) {
                // stat says nothing of a file that is not there
            }
        }
        return key.toString();
    }

    /** Whether {@code keyFile} holds {@code key} (read with the streams the client has loaded already). */
    static boolean held(String keyFile, String key) {
        try (java.io.FileInputStream in = new java.io.FileInputStream(keyFile)) {
            return key.equals(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return false;
        }
    }
}
