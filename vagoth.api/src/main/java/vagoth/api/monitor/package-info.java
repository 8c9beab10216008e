/**
 * The monitor: reconciles the registry with what hypervisors report.
 */
@Export
@Version("1.2.0")
package vagoth.api.monitor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
