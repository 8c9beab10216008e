package vagoth.api.monitor;

import org.osgi.annotation.versioning.ProviderType;
import vagoth.api.virt.PollReport;

/** Keeps the registry true to what the hypervisors report. */
@ProviderType
public interface Monitor {
    /** Service property: the monitor's name, which configuration selects it by. */
    String NAME = "vagoth.monitor";


    /** Polls every hypervisor once and reconciles the registry. */
    PollReport poll();

    /**
     * Polls the hypervisors with these ids once (a new one, so its capacity
     * is known at once) and reconciles what they report; the others are left
     * as they are. An id that is not a hypervisor's is ignored.
     */
    PollReport poll(java.util.Set<String> hypervisors);

    /** VMs whose transitional state ({@code starting}, {@code stopping}...) has lasted longer than the configured timeout. */
    java.util.List<vagoth.api.Node> stuck();
}
