/**
 * Job records, the job store that keeps them, and transactions.
 */
@Export
@Version("2.2.0")
package vagoth.api.job;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
