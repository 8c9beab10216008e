package vagoth.monitor.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Vagoth monitor", description = "Polls hypervisors and reconciles the registry")
@interface MonitorConfig {

    @AttributeDefinition(min = "0", description = "Seconds between background polls; 0 polls only when asked (vagoth poll)")
    long interval_s() default 0;

    @AttributeDefinition(min = "1", max = "1024", description = "Hypervisors polled at once")
    int threads() default 16;

    @AttributeDefinition(min = "0", description = "Seconds a hypervisor may stay unreachable before its VMs are unassigned")
    long grace_s() default 300;

    @AttributeDefinition(min = "1", description = "Seconds after which a transitional state (starting, stopping...) is reported as stuck")
    long stuck_after_s() default 600;

    @AttributeDefinition(description = "Create nodes for VMs a hypervisor reports that the registry does not know")
    boolean create_missing() default false;
}
