package vagoth.virt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(pid = HaConfig.PID, name = "Vagoth high availability", description = "When a dead host's VMs"
        + " that ask for it (ha=restart) are restarted elsewhere: after each poll, once the host is fenced by its"
        + " fence command (fence.command in vagoth.virt.cfg, or the host's own fence_command)")
@interface HaConfig {
    String PID = "vagoth.ha";

    @AttributeDefinition(description = "Whether recovery runs at all (false: a dead host's VMs stay lost until an"
            + " operator fences it and starts them)")
    boolean enabled() default true;

    @AttributeDefinition(min = "1", description = "Polls in a row a host must have missed (besides the monitor's"
            + " grace.s) before it is fenced")
    int min_missed_polls() default 3;

    @AttributeDefinition(min = "1", description = "Starts of a VM that may fail, after its host was fenced, before"
            + " recovery gives it up")
    int max_restarts() default 3;

    @AttributeDefinition(min = "1", description = "Times a VM may be recovered onto another host before recovery"
            + " leaves it alone ('vagoth ha VM on' counts again from 0)")
    int max_relocations() default 5;

    @AttributeDefinition(min = "1", description = "Seconds before a failed fence or start is tried again; doubled at"
            + " each failure")
    long backoff_s() default 30;

    @AttributeDefinition(min = "1", description = "The longest wait between tries, in seconds")
    long max_backoff_s() default 600;
}
