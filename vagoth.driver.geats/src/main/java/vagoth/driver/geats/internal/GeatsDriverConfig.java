package vagoth.driver.geats.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Vagoth Geats driver", description = "Talks to each hypervisor's agent (definition key 'agent')")
@interface GeatsDriverConfig {

    @AttributeDefinition(min = "1", description = "Seconds an agent may take for status, info, start, stop, shutdown, reboot")
    long short_timeout_s() default 30;

    @AttributeDefinition(min = "1", description = "Seconds an agent may take for define, provision, undefine, deprovision, migrate")
    long long_timeout_s() default 300;

    @AttributeDefinition(min = "1024", description = "The largest answer an agent may give, in bytes; a larger one is"
            + " an error and the agent is killed")
    long max_answer_bytes() default 16L << 20;
}
