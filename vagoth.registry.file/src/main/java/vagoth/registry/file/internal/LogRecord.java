package vagoth.registry.file.internal;

import vagoth.api.Node;
import vagoth.support.registry.RegistryState;

/**
 * One line of the write-ahead log: a node as it is after a change
 * ({@code put}) or the id of a deleted node. Replaying a record is idempotent.
 *
 * @param seq     position in the registry's history, one more than the record before
 * @param put     the node image, or null for a delete
 * @param deleted the deleted id, or null for a put
 */
record LogRecord(long seq, Node put, String deleted) {
    static LogRecord put(long seq, Node n) {
        return new LogRecord(seq, n, null);
    }

    static LogRecord delete(long seq, String id) {
        return new LogRecord(seq, null, id);
    }

    void applyTo(RegistryState state) {
        if (put != null) {
            state.put(put);
        } else {
            state.remove(deleted);
        }
    }
}
