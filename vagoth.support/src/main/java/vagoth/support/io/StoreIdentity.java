package vagoth.support.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * A home's record of a store it uses (the registry, the job records), so that
 * a store that went missing — a deleted directory, a file system not mounted,
 * a configuration pointing elsewhere, an empty database — is never taken for
 * one that was never made, and silently replaced by a new, empty one.
 *
 * <p>The store keeps an identity (a random id) of its own; the home keeps
 * {@code var/stores/<name>} with the same id and where the store was. A store
 * is created only when the home has no record of one; when it has, the store
 * must be there with the same identity, or it is refused with one line naming
 * where it should be. A store from before identities (it holds data but no
 * identity) is adopted. Only removing the home's record ({@code vagoth
 * reset-store NAME}) lets a new, empty store be made where one was lost.
 */
public final class StoreIdentity {
    /** The store's side: where it keeps its identity and whether it holds anything. */
    public interface Store {
        /** The identity the store holds, if any. */
        Optional<String> identity() throws IOException;

        /** Makes the store (when it is created) and keeps {@code id} in it, durably. */
        void create(String id) throws IOException;

        /** Where the store is, for messages: a directory or a database URL. */
        String where();
    }

    /** Why a store cannot be used; the message is one line an operator can act on. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private StoreIdentity() {
    }

    /** Where a home records the store called {@code name} ({@code registry.file}, {@code jobs.postgres}...). */
    public static Path record(Path home, String name) {
        return home.resolve("var").resolve("stores").resolve(name);
    }

    /**
     * Checks {@code store} against the home's record {@code record} (null: no
     * home, nothing recorded) and makes it when neither exists.
     *
     * @param what the store as an operator calls it ("the registry", "the job records")
     * @param name the store's name in {@code var/stores} and in {@code vagoth reset-store}
     * @throws Refused when the home recorded a store that is missing or is another one
     */
    public static void open(FileIo io, Path record, Store store, String what, String name) throws IOException, Refused {
        Optional<String> recorded = record == null ? Optional.empty() : recorded(record);
        Optional<String> held = store.identity();
        if (recorded.isPresent()) {
            if (held.isEmpty()) {
                throw new Refused(capitalized(what) + " at " + store.where() + " is missing, but this home made one there"
                        + " (id " + recorded.get() + ", recorded in " + record + "): is its file system mounted, or its"
                        + " database reachable? Restore it; or, to start again with an empty one (everything the lost"
                        + " one held is gone), run 'vagoth reset-store " + name.substring(0, name.indexOf('.')) + "'");
            }
            if (!held.get().equals(recorded.get())) {
                throw new Refused(capitalized(what) + " at " + store.where() + " is another one (id " + held.get()
                        + ") than this home's (id " + recorded.get() + ", recorded in " + record + "): point the"
                        + " configuration at this home's, or run 'vagoth reset-store " + name.substring(0,
                                name.indexOf('.')) + "' to use this one");
            }
            return;
        }
        String id = held.orElse(null);
        if (id == null) {
            id = UUID.randomUUID().toString();
            store.create(id); // a new store, or one from before identities: it keeps an identity from now on
        }
        if (record != null) {
            io.createDirectories(record.getParent());
            Durable.write(io, record, ("id=" + id + "\nwhere=" + store.where() + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The id a home's record holds, if it has one. */
    public static Optional<String> recorded(Path record) throws IOException {
        if (!Files.exists(record)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
            if (line.startsWith("id=")) {
                return Optional.of(line.substring(3).strip());
            }
        }
        throw new IOException(record + " holds no id= line: it is damaged; remove it only if the store it"
                + " names is lost");
    }

    /** A store kept in a directory: its identity in {@code DIR/identity}. */
    public static Store directory(FileIo io, Path dir) {
        return new Store() {
            @Override
            public Optional<String> identity() throws IOException {
                Path f = dir.resolve("identity");
                return Files.isRegularFile(f) ? Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip())
                        : Optional.empty();
            }

            @Override
            public void create(String id) throws IOException {
                io.createDirectories(dir);
                Durable.write(io, dir.resolve("identity"), (id + "\n").getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public String where() {
                return dir.toString();
            }
        };
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
