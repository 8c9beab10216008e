package vagoth.api.monitor;

import java.util.Collection;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Which hypervisors this process polls, when several daemons share one
 * registry: each hypervisor is polled by one daemon at a time, the one holding
 * its lease. A registry shared by several processes implements this too; the
 * monitor polls only the hypervisors whose lease it holds, and discards an
 * answer that arrives after the lease was lost. A registry of one process's
 * own does not, and its monitor polls every hypervisor.
 */
@ProviderType
public interface PollLeases {
    /**
     * Takes this process's share of {@code hypervisors} (ids): the leases it
     * holds are renewed, free or expired ones in its share are taken, and
     * ones now in another live daemon's share are handed over.
     *
     * @return the ids of those whose lease this process holds now
     */
    Set<String> take(Collection<String> hypervisors);

    /**
     * Whether this process still surely holds the lease of {@code hypervisor}
     * (renewed within half a lease): an answer from a hypervisor whose lease
     * was lost, or may be about to pass to another daemon, is discarded.
     */
    boolean holds(String hypervisor);
}
