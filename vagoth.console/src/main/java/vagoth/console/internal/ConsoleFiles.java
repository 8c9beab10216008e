package vagoth.console.internal;

import org.osgi.service.component.annotations.Component;

/**
 * The console's files, served at {@code /ui/} from this bundle's
 * {@code vagoth/console/} by the HTTP whiteboard: plain HTML, CSS and
 * JavaScript, nothing built and nothing fetched from elsewhere. Everything
 * the pages show and do goes through the remote API ({@code /api/v1/}).
 */
@Component(service = ConsoleFiles.class, property = {"osgi.http.whiteboard.resource.pattern=/ui/*",
    "osgi.http.whiteboard.resource.prefix=/vagoth/console",
    "osgi.http.whiteboard.context.select=" + ConsoleFiles.CONTEXT})
public final class ConsoleFiles {
    static final String CONTEXT = "(osgi.http.whiteboard.context.name=default)";
}
