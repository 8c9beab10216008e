/**
 * Virtualisation: virtual machines, hypervisors, their drivers, placement
 * (allocators) and reconciliation (the monitor).
 */
@Export
@Version("1.1.0")
package vagoth.api.virt;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
