package vagoth.api.job;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who asked for a piece of work, carried with it to everything it causes.
 *
 * @param txid   eight hex characters, shared by nested actions
 * @param source the OS user for the command line, {@code monitor} or {@code daemon} for background work
 */
public record Transaction(String txid, String source) {
    private static final Pattern TXID = Pattern.compile("[0-9a-f]{8}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public Transaction {
        Objects.requireNonNull(source, "source");
        if (txid == null || !TXID.matcher(txid).matches()) {
            throw new IllegalArgumentException("txid must be 8 lower-case hex characters: " + txid);
        }
    }

    private static final ThreadLocal<Transaction> CURRENT = new ThreadLocal<>();

    /**
     * The transaction the calling thread works in, if any: the manager sets
     * it around every command and action, so what the work changes can be
     * told apart by who asked for it (a shared registry's audit log records it).
     */
    public static java.util.Optional<Transaction> current() {
        return java.util.Optional.ofNullable(CURRENT.get());
    }

    /** Runs {@code work} in {@code tx} on this thread; a thread already in a transaction keeps its own. */
    public static <T> T within(Transaction tx, java.util.function.Supplier<T> work) {
        if (CURRENT.get() != null) {
            return work.get();
        }
        CURRENT.set(tx);
        try {
            return work.get();
        } finally {
            CURRENT.remove();
        }
    }

    /** A new transaction with a random txid. */
    public static Transaction begin(String source) {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return new Transaction(HexFormat.of().formatHex(b), source);
    }
}
