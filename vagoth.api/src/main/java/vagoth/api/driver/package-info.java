/**
 * Drivers: how Vagoth talks to a hypervisor.
 */
@Export
@Version("1.2.0")
package vagoth.api.driver;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
