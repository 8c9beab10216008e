/**
 * The registry: where nodes, their relations, metadata and blobs are kept. Implement {@link vagoth.api.registry.Registry} to store them elsewhere.
 */
@Export
@Version("1.1.0")
package vagoth.api.registry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
