/**
 * The Vagoth node model, the registry, the provisioner, node types and the
 * manager: everything a client or a plugin needs to talk about nodes.
 */
@Export
@Version("1.2.0")
package vagoth.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
