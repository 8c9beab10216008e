package vagoth.scheduler.thread.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(pid = "vagoth.scheduler.thread", name = "Vagoth threaded scheduler",
        description = "Queues run in parallel, each strictly in order; a VM's actions use the queue named after it")
@interface ThreadSchedulerConfig {

    @AttributeDefinition(min = "1", max = "1024", description = "Worker threads: how many queues run at once")
    int threads() default 8;

    @AttributeDefinition(min = "0", description = "On stop, how long running jobs may take to finish before they are recorded as interrupted")
    long stop_timeout_s() default 30;
}
