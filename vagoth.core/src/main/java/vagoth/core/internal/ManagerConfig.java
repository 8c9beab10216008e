package vagoth.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Vagoth manager",
        description = "The front door. Choose the active registry, scheduler and provisioner with "
                + "registry.target, scheduler.target and provisioner.target filters")
@interface ManagerConfig {

    @AttributeDefinition(description = "Who work started here is attributed to; empty means the OS user")
    String source() default "";
}
