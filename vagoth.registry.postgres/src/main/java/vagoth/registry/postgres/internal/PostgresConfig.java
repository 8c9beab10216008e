package vagoth.registry.postgres.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(pid = PostgresRegistry.PID, name = "Vagoth PostgreSQL registry",
        description = "The registry on a PostgreSQL database shared by every daemon (etc/vagoth.postgres.cfg);"
                + " select it with registry.target = (vagoth.registry=postgres)")
@interface PostgresConfig {
    @AttributeDefinition(description = "JDBC URL, one or more hosts: jdbc:postgresql://db1,db2/vagoth?targetServerType=primary")
    String url();

    @AttributeDefinition(description = "The database user")
    String user() default "vagoth";

    @AttributeDefinition(type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD,
            description = "The user's password; prefer password.file")
    String password() default "";

    @AttributeDefinition(description = "A file holding the password (owner-only), read at start")
    String password_file() default "";

    @AttributeDefinition(min = "1", description = "Seconds to wait for the database before a call fails")
    int connect_timeout_s() default 10;

    @AttributeDefinition(min = "1", description = "Connections kept open to the database")
    int pool_size() default 8;
}
