/**
 * Allocators: where a new virtual machine is placed.
 */
@Export
@Version("1.1.0")
package vagoth.api.allocator;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
