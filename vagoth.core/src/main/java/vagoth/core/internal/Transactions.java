package vagoth.core.internal;

import java.util.Optional;
import java.util.function.Supplier;

import vagoth.api.job.Transaction;

/** The transaction each thread works in. Nested calls keep the first one. */
final class Transactions {
    private final ThreadLocal<Transaction> current = new ThreadLocal<>();

    Optional<Transaction> current() {
        return Optional.ofNullable(current.get());
    }

    <T> T inTransaction(String source, Supplier<T> work) {
        Transaction tx = current.get();
        return tx != null ? work.get() : inTransaction(Transaction.begin(source), work);
    }

    <T> T inTransaction(Transaction tx, Supplier<T> work) {
        Transaction outer = current.get();
        if (outer != null) {
            return work.get();
        }
        current.set(tx);
        try {
            return work.get();
        } finally {
            current.remove();
        }
    }
}
