package vagoth.jobs.file.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Vagoth job records", description = "Where job records are kept and for how long")
@interface FileJobStoreConfig {

    @AttributeDefinition(description = "Directory of the job log; empty means $VAGOTH_HOME/var/jobs")
    String directory() default "";

    @AttributeDefinition(min = "1", description = "Records are written to disk in batches, at most this many milliseconds apart")
    long flush_ms() default 20;

    @AttributeDefinition(min = "0", description = "Finished jobs are kept this many hours")
    long retention_hours() default 168;

    @AttributeDefinition(min = "0", description = "At most this many finished jobs are kept")
    int retention_max() default 10_000;
}
