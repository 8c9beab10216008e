/**
 * Virtualisation: the virtual machine and hypervisor node APIs and their states.
 */
@Export
@Version("2.3.0")
package vagoth.api.virt;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
