package vagoth.virt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(pid = "vagoth.virt", name = "Vagoth virtual machines", description = "How 'vagoth fence HV --command' proves a hypervisor is off; how live migrations are limited")
@interface FenceConfig {

    @AttributeDefinition(description = "Command that powers a hypervisor off and exits 0 only when it is off, e.g."
            + " ipmitool -I lanplus -H {name}-ipmi -U admin -f /etc/vagoth/ipmi.pw chassis power off; {hv} and {name}"
            + " are replaced by the hypervisor's id and name; run without a shell")
    String fence_command() default "";

    @AttributeDefinition(min = "1", description = "Seconds the fence command may take")
    long fence_timeout_s() default 120;

    @AttributeDefinition(description = "Agent command lines the remote API may set on a hypervisor, as argument"
            + " prefixes (comma-separated): each word must be the same, and a last word ending in @ matches any"
            + " user@host that starts with it (ssh -o BatchMode=yes root@). Empty: only the distribution's own"
            + " bin/vagoth-agent. The local command line, run by the home's owner, is not limited",
            cardinality = 64)
    String[] agent_allowed() default {};

    @AttributeDefinition(min = "1", description = "Live migration: the downtime QEMU may allow itself for the last"
            + " round, in milliseconds (QEMU's own default: 300)")
    long live_downtime_ms() default 300;

    @AttributeDefinition(min = "1", description = "Live migration: the bandwidth it may use, in MiB/s (QEMU's own"
            + " default: 128)")
    long live_bandwidth_mib_s() default 128;

    @AttributeDefinition(min = "1", description = "Live migration: how long it may take, in seconds, before it is"
            + " cancelled and the guest runs on at its source")
    long live_timeout_s() default 600;
}
