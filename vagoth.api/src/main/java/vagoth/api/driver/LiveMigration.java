package vagoth.api.driver;

import java.time.Duration;
import java.util.Map;

/**
 * What a live migration carries between its steps (DESIGN section 10): the
 * destination's addresses, the limits the daemon sets, and the result the
 * source measured.
 */
public final class LiveMigration {
    private LiveMigration() {
    }

    /** Where the destination waits: the guest's memory ({@code tcp:HOST:PORT}) and, for a copied disk, its NBD export. */
    public record Target(String uri, String nbd) {
    }

    /**
     * @param downtimeMs the downtime QEMU may allow itself for the last round
     * @param bandwidthMiBs the bandwidth the migration may use
     * @param timeout how long it may take before it is cancelled
     */
    public record Limits(long downtimeMs, long bandwidthMiBs, Duration timeout) {
    }

    /** How it went, as the source measured it: {@code total_ms}, {@code downtime_ms}, {@code disk_copied}, ... */
    public record Result(Map<String, String> facts) {
        public long number(String key) {
            try {
                return Long.parseLong(facts.getOrDefault(key, "-1"));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** One report of progress: the phase ({@code disk} or {@code memory}), bytes sent and left, and the rate. */
    public record Progress(String phase, long transferred, long remaining, double mbps) {
    }
}
