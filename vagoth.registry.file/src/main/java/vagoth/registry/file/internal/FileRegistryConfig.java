package vagoth.registry.file.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Vagoth file registry",
        description = "The embedded registry: a write-ahead log with snapshots, in one directory")
@interface FileRegistryConfig {

    @AttributeDefinition(description = "Directory of the registry; empty means $VAGOTH_HOME/var/registry")
    String directory() default "";

    @AttributeDefinition(min = "0", description = "Compact the log once it is larger than this many bytes and than the snapshot")
    long compact_min_bytes() default 4L * 1024 * 1024;
}
