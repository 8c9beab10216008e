package vagoth.http.internal;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refused credentials per client address: after {@value #FREE} in a window of
 * a minute, the address must wait before its next refused attempt is even
 * looked at, 100 ms after the sixth, doubling, up to {@value #MAX_WAIT_MS} ms.
 * Nothing sleeps: the caller answers {@code 429 Too Many Requests} with
 * {@code Retry-After}, so no number of failing clients holds a server thread.
 * At most {@value #MAX_ADDRESSES} addresses are remembered (the least recent
 * go first).
 */
final class FailureLimit {
    static final int FREE = 5;
    static final long MAX_WAIT_MS = 5_000;
    static final long WINDOW_MS = 60_000;
    private static final int MAX_ADDRESSES = 10_000;

    private final Clock clock;
    /** Per address: failures in the window, when the window began, when the last failure was (ms). */
    private final Map<String, long[]> failures = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    FailureLimit(Clock clock) {
        this.clock = clock;
    }

    /** Counts a refused attempt from {@code address}. */
    synchronized void failed(String address) {
        long now = clock.millis();
        long[] f = failures.computeIfAbsent(address, a -> new long[] {0, now, now});
        if (now - f[1] > WINDOW_MS) {
            f[0] = 0;
            f[1] = now;
        }
        f[0]++;
        f[2] = now;
    }

    /** How long {@code address} must wait before its next attempt is looked at (ms); 0 when it need not. */
    synchronized long waitMs(String address) {
        long[] f = failures.get(address);
        long now = clock.millis();
        if (f == null || now - f[1] > WINDOW_MS || f[0] <= FREE) {
            return 0;
        }
        long wait = Math.min(MAX_WAIT_MS, 100L << Math.min(f[0] - FREE - 1, 16));
        return Math.max(0, f[2] + wait - now);
    }
}
