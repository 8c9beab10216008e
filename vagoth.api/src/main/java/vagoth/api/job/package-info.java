/**
 * Actions, the schedulers that run them, job records and transactions.
 */
@Export
@Version("1.1.0")
package vagoth.api.job;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
