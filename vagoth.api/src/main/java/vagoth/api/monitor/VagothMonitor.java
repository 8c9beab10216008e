package vagoth.api.monitor;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Sets {@value Monitor#NAME} on a {@link Monitor} component: the name the
 * manager's {@code *.target} filters select it by ({@code (vagoth.monitor=NAME)}).
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface VagothMonitor {
    String value();
}
