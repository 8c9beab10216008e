package vagoth.http.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Vagoth remote API", description = "Where the daemon serves the REST API, and how")
@interface HttpConfig {
    @AttributeDefinition(description = "Address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 (every"
            + " interface) or one of the machine's addresses")
    String bind() default "127.0.0.1";

    @AttributeDefinition(min = "1", max = "65535", description = "TCP port")
    int port() default 8443;

    @AttributeDefinition(description = "HTTPS (TLS 1.2 or newer); false serves plain HTTP, for a proxy on the"
            + " same machine that does TLS itself")
    boolean tls() default true;

    @AttributeDefinition(description = "A PKCS#12 keystore of your own (its first key is served); empty: a"
            + " self-signed certificate made on the first start in etc/tls/")
    String keystore() default "";

    @AttributeDefinition(description = "The password of that keystore (and of its key)")
    String keystore_password() default "";

    @AttributeDefinition(min = "1", description = "Event streams open at most, over all tokens (each holds no"
            + " thread, only a connection); one more is a 429")
    int streams_max() default 500;

    @AttributeDefinition(min = "1", description = "Event streams open at most per token; one more is a 429")
    int streams_per_token() default 50;

    @AttributeDefinition(min = "8", max = "1000", description = "Jetty's worker threads at most: requests beyond"
            + " them wait for one to come free")
    int threads() default 64;

    @AttributeDefinition(min = "5", max = "600", description = "Seconds a connection may stay silent (a body"
            + " that stops arriving, a client that reads nothing) before it is closed; waits the API makes on"
            + " purpose (a command's job, ?wait=, an event stream) are not held to it")
    int idle_timeout_s() default 30;

    @AttributeDefinition(description = "A file holding a token that reads /metrics and nothing else, for a"
            + " Prometheus server (its credentials_file), relative to etc/; empty: /metrics takes a"
            + " viewer's token")
    String metrics_token_file() default "";
}
