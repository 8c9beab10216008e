package vagoth.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A disk coming in, unpacked where the back end does not look ({@code staging}) and put in place by
 * {@link #commit()} in one rename; {@link #abort()} removes what came. What an import cut short left in
 * {@code staging} is removed before the next one of that VM begins ({@link #clear}).
 */
abstract class StagedImport implements Backend.Import {
    final Path staging;

    StagedImport(Path staging) {
        this.staging = staging;
    }

    /** {@code staging} emptied (what an import cut short left) and made, ready for an import. */
    static Path clear(Path staging) throws AgentException {
        try {
            Trees.delete(staging);
            return java.nio.file.Files.createDirectories(staging);
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot make " + staging + ": " + e.getMessage());
        }
    }

    @Override
    public List<String> tar() {
        return Trees.unpack(staging);
    }

    @Override
    public void abort() {
        Trees.deleteLeaving(staging); // what cannot be removed now, the next import removes first
    }
}
