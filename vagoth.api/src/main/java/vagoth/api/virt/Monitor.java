package vagoth.api.virt;

import org.osgi.annotation.versioning.ProviderType;

/** Keeps the registry true to what the hypervisors report. */
@ProviderType
public interface Monitor {

    /** Polls every hypervisor once and reconciles the registry. */
    PollReport poll();
}
