package vagoth.dist;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import vagoth.support.io.FileIo;
import vagoth.support.io.StoreIdentity;

/**
 * The home's stores, checked before a container starts: a file registry or
 * file job store the home recorded ({@code var/stores/}) must be where the
 * configuration says, with the identity recorded, so a lost or unmounted
 * directory is refused in one line on every path instead of becoming an empty
 * store. {@code vagoth reset-store registry|jobs} is the explicit word that a
 * lost store is gone: it removes the home's record, and the next command makes
 * a new, empty store.
 */
final class Stores {
    /** A store of the home: its name, the file naming its directory, the default directory under the home. */
    private record Kind(String name, String what, String cfg, String defaultDir) {
    }

    private static final List<Kind> FILE_STORES = List.of(
            new Kind("registry", "the registry", "vagoth.registry.file.cfg", "registry"),
            new Kind("jobs", "the job records", "vagoth.jobs.file.cfg", "jobs"));

    private Stores() {
    }

    /** Refuses, with the reason, when a file store the home recorded is missing or another one; else null. */
    static String problem(VagothHome home) throws IOException, ConfigCheck.BadConfiguration {
        for (Kind k : FILE_STORES) {
            Path record = StoreIdentity.record(home.root(), k.name() + ".file");
            if (!Files.exists(record)) {
                continue;
            }
            Path dir = directory(home, k);
            try {
                StoreIdentity.open(FileIo.REAL, record, checkOnly(dir), k.what(), k.name() + ".file");
            } catch (StoreIdentity.Refused e) {
                return e.getMessage();
            }
        }
        return null;
    }

    private static Path directory(VagothHome home, Kind k) throws IOException, ConfigCheck.BadConfiguration {
        Path cfg = home.etc().resolve(k.cfg());
        if (Files.exists(cfg)) {
            Properties p = ConfigCheck.read(cfg);
            String dir = p.getProperty("directory", "").strip();
            if (!dir.isEmpty()) {
                return Path.of(dir);
            }
        }
        return home.root().resolve("var").resolve(k.defaultDir());
    }

    /** The directory store, read only: a check never makes anything. */
    private static StoreIdentity.Store checkOnly(Path dir) {
        StoreIdentity.Store real = StoreIdentity.directory(FileIo.REAL, dir);
        return new StoreIdentity.Store() {
            @Override
            public java.util.Optional<String> identity() throws IOException {
                return real.identity();
            }

            @Override
            public void create(String id) {
                throw new IllegalStateException("a check makes nothing");
            }

            @Override
            public String where() {
                return real.where();
            }
        };
    }

    /**
     * {@code reset-store NAME}: removes the home's record of the store called
     * {@code NAME} (file and PostgreSQL alike), after saying what is lost.
     * Refused while that store is there, with its identity: nothing is lost then.
     */
    static int reset(VagothHome home, String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1 || !args[0].equals("registry") && !args[0].equals("jobs")) {
            err.println("vagoth: usage: vagoth reset-store registry|jobs (the home's record of a lost store is removed;"
                    + " the next command makes a new, empty one)");
            return OneShot.USAGE;
        }
        String name = args[0];
        Kind kind = FILE_STORES.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
        try {
            Path fileRecord = StoreIdentity.record(home.root(), name + ".file");
            Path pgRecord = StoreIdentity.record(home.root(), name + ".postgres");
            if (!Files.exists(fileRecord) && !Files.exists(pgRecord)) {
                err.println("reset-store: this home has no record of " + kind.what() + "; nothing to reset");
                return OneShot.FAILED;
            }
            if (Files.exists(fileRecord)) {
                Path dir = directory(home, kind);
                String recorded = StoreIdentity.recorded(fileRecord).orElse("?");
                if (recorded.equals(checkOnly(dir).identity().orElse(null))) {
                    err.println("reset-store: " + kind.what() + " at " + dir + " is there and is this home's (id "
                            + recorded + "); nothing is reset");
                    return OneShot.FAILED;
                }
                Files.delete(fileRecord);
                out.println("reset-store: OK: " + kind.what() + " this home made at " + dir + " (id " + recorded
                        + ") is given up; the next command makes a new, empty one there, and everything the lost one"
                        + " held is gone unless " + dir + " is restored. A running daemon keeps failing until it is"
                        + " restarted ('vagoth daemon stop').");
            }
            if (Files.exists(pgRecord)) {
                String recorded = StoreIdentity.recorded(pgRecord).orElse("?");
                Files.delete(pgRecord);
                out.println("reset-store: OK: " + kind.what() + " this home used in PostgreSQL (id " + recorded
                        + ") is given up; an empty database will be used as a new one");
            }
            return 0;
        } catch (IOException | ConfigCheck.BadConfiguration e) {
            err.println("reset-store: " + e.getMessage());
            return OneShot.FAILED;
        }
    }
}
