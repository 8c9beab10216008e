package vagoth.api.allocator;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Sets {@value Allocator#NAME} on a {@link Allocator} component: the name the
 * manager's {@code *.target} filters select it by ({@code (vagoth.allocator=NAME)}).
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface VagothAllocator {
    String value();
}
