/**
 * Schedulers: run actions as jobs, queue by queue.
 */
@Export
@Version("1.0.0")
package vagoth.api.scheduler;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
