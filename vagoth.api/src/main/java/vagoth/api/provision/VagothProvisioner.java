package vagoth.api.provision;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Sets {@value Provisioner#NAME} on a {@link Provisioner} component: the name the
 * manager's {@code *.target} filters select it by ({@code (vagoth.provisioner=NAME)}).
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface VagothProvisioner {
    String value();
}
