package vagoth.core.internal;

import java.util.Optional;
import java.util.function.Supplier;

import vagoth.api.job.Transaction;

/** The transaction each thread works in ({@link Transaction#current()}). Nested calls keep the first one. */
final class Transactions {

    Optional<Transaction> current() {
        return Transaction.current();
    }

    <T> T inTransaction(String source, Supplier<T> work) {
        return Transaction.current().isPresent() ? work.get() : inTransaction(Transaction.begin(source), work);
    }

    <T> T inTransaction(Transaction tx, Supplier<T> work) {
        return Transaction.within(tx, work);
    }
}
