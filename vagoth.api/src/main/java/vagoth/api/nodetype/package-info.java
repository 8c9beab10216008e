/**
 * Node types: the API a node of a given type offers ({@link vagoth.api.nodetype.NodeType} wraps a stored node).
 */
@Export
@Version("1.0.0")
package vagoth.api.nodetype;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
