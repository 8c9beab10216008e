package vagoth.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Vagoth manager",
        description = "The front door. Choose the active registry, scheduler and provisioner with "
                + "registry.target, scheduler.target and provisioner.target filters")
@interface ManagerConfig {

    @AttributeDefinition(description = "Who work started here is attributed to; empty means the OS user")
    String source() default "";

    @AttributeDefinition(min = "0", description = "When the registry or scheduler is being swapped, how long (ms) a call waits for"
            + " the new one before it is told none is active")
    long swap_grace_ms() default 10_000;
}
