/**
 * Who may use the remote API: bearer tokens, each with a role, stored only as
 * a hash, optionally expiring, revocable.
 */
@Export
@Version("1.1.0")
package vagoth.api.access;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
