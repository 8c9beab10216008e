package vagoth.monitor.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(pid = "vagoth.monitor", name = "Vagoth monitor", description = "Polls hypervisors and reconciles the registry")
@interface MonitorConfig {

    @AttributeDefinition(min = "0", description = "Seconds between background polls; 0 polls only when asked (vagoth poll)")
    long interval_s() default 0;

    @AttributeDefinition(min = "1", max = "1024", description = "Hypervisors polled at once")
    int threads() default 16;

    int DEFAULT_MAX_FACT_BYTES = 4096;

    @AttributeDefinition(min = "0", description = "Seconds a hypervisor may stay unreachable before its VMs are lost"
            + " (they keep their place until the hypervisor is fenced)")
    long grace_s() default 300;

    @AttributeDefinition(min = "1", description = "Seconds after which a transitional state (starting, stopping...) is reported as stuck")
    long stuck_after_s() default 600;

    @AttributeDefinition(description = "Create nodes for VMs a hypervisor reports that the registry does not know")
    boolean create_missing() default false;

    @AttributeDefinition(min = "64", description = "The largest fact (name and value, in characters) stored from a"
            + " hypervisor's status report; a larger one is reported and left out")
    int max_fact_bytes() default DEFAULT_MAX_FACT_BYTES;
}
