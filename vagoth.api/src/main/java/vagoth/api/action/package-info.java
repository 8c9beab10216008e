/**
 * Actions: named units of work the manager runs, in transactions.
 */
@Export
@Version("1.0.0")
package vagoth.api.action;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
