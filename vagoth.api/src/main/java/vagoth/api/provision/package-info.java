/**
 * Provisioners: how a node enters and leaves the cluster.
 */
@Export
@Version("1.1.0")
package vagoth.api.provision;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
