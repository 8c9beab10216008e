package vagoth.virt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(pid = "vagoth.virt", name = "Vagoth fencing", description = "How 'vagoth fence HV --command' proves a hypervisor is off")
@interface FenceConfig {

    @AttributeDefinition(description = "Command that powers a hypervisor off and exits 0 only when it is off, e.g."
            + " ipmitool -I lanplus -H {name}-ipmi -U admin -f /etc/vagoth/ipmi.pw chassis power off; {hv} and {name}"
            + " are replaced by the hypervisor's id and name; run without a shell")
    String fence_command() default "";

    @AttributeDefinition(min = "1", description = "Seconds the fence command may take")
    long fence_timeout_s() default 120;
}
