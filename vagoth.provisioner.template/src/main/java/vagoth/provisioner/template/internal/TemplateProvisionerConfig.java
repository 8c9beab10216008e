package vagoth.provisioner.template.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(pid = "vagoth.provisioner.template", name = "Vagoth template provisioner",
        description = "Expands templates, allocates IP and MAC addresses, keeps dnsmasq's DHCP and DNS files")
@interface TemplateProvisionerConfig {

    @AttributeDefinition(description = "Directory of the templates (<name>.json); empty means $VAGOTH_HOME/etc/templates")
    String templates_dir() default "";

    @AttributeDefinition(description = "The network VMs are given addresses in")
    String subnet() default "10.0.0.0/24";

    String gateway() default "10.0.0.1";

    @AttributeDefinition(description = "Addresses handed out: first-last")
    String range() default "10.0.0.10-10.0.0.250";

    @AttributeDefinition(description = "DNS domain of the VMs' names")
    String domain() default "vagoth.local";

    @AttributeDefinition(description = "Directory of dnsmasq's files: dhcp-hosts.d/ (for --dhcp-hostsdir) and hosts.d/"
            + " (for --hostsdir), a file per VM; empty means $VAGOTH_HOME/var/dnsmasq. Outside the home it is made"
            + " readable by others, as dnsmasq reads it after dropping root")
    String dnsmasq_dir() default "";

    @AttributeDefinition(description = "dnsmasq's pidfile; when set, dnsmasq is sent SIGHUP after an entry is removed"
            + " or changed (a courtesy: a dnsmasq that is down is warned about, not a reason to refuse)")
    String dnsmasq_pidfile() default "";
}
