package vagoth.allocator.capacity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(pid = "vagoth.allocator.capacity", name = "Vagoth capacity allocator",
        description = "Places VMs where their ram and cpus fit, respecting exclusion tags and maintenance")
@interface CapacityConfig {

    @AttributeDefinition(options = {@Option(value = "spread"), @Option(value = "pack")}, description = "pack: fill the fullest hypervisor that fits; spread: the emptiest")
    String strategy() default "spread";

    @AttributeDefinition(min = "0.1", description = "RAM a hypervisor may promise, as a multiple of its memory")
    double ram_overcommit() default 1.0;

    @AttributeDefinition(min = "0.1", description = "CPUs a hypervisor may promise, as a multiple of its CPUs")
    double cpu_overcommit() default 4.0;

    @AttributeDefinition(description = "Tags whose VMs must not share a hypervisor when they have the same value")
    String[] exclusion_tags() default {"anti_affinity"};

    @AttributeDefinition(min = "0", description = "How long (ms) the picture of the cluster read from the registry is reused")
    long cache_ms() default 1000;
}
