package vagoth.api.virt;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * High availability as this process runs it: the rules recovery follows and
 * what its last pass covered. Each daemon recovers the hosts it polls (those
 * whose poll lease it holds), so several daemons each answer for their own.
 */
public interface HighAvailability {
    /** The rules and this process's last recovery pass. */
    Status status();

    /**
     * @param enabled        whether recovery runs at all ({@code enabled} in {@code vagoth.ha.cfg})
     * @param daemon         this process, as {@code host pid N}
     * @param lastPass       when its last recovery pass ran, null when none has yet (recovery follows each full poll)
     * @param hosts          the hypervisors that pass looked after: those this process polled
     * @param grace          how long a host must have been unreachable before it may be fenced
     * @param minMissedPolls polls in a row a host must have missed, besides the grace period
     * @param maxRestarts    failed starts of a VM before recovery gives it up
     * @param maxRelocations recoveries of a VM before recovery leaves it alone
     */
    record Status(boolean enabled, String daemon, Instant lastPass, List<String> hosts, Duration grace,
            int minMissedPolls, int maxRestarts, int maxRelocations) {
        public Status {
            hosts = List.copyOf(hosts);
        }
    }
}
