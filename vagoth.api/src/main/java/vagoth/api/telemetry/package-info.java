/**
 * What a daemon measures of itself: registry operations, monitor passes and
 * agent calls, reported by the bundles that make them to whichever bundle
 * serves the figures (the remote API's {@code /metrics}).
 */
@Export
@Version("1.1.0")
package vagoth.api.telemetry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
