package vagoth.api.scheduler;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Sets {@value Scheduler#NAME} on a {@link Scheduler} component: the name the
 * manager's {@code *.target} filters select it by ({@code (vagoth.scheduler=NAME)}).
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface VagothScheduler {
    String value();
}
