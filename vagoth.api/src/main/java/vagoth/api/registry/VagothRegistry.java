package vagoth.api.registry;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Sets {@value Registry#NAME} on a {@link Registry} component: the name the
 * manager's {@code *.target} filters select it by ({@code (vagoth.registry=NAME)}).
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface VagothRegistry {
    String value();
}
