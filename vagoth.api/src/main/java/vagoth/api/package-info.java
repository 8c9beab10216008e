/**
 * The Vagoth node model and the manager: nodes, queries, the exceptions every
 * part shares, and the names (service properties, installation layout) they agree on.
 */
@Export
@Version("2.3.0")
package vagoth.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
