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

    @AttributeDefinition(description = "dnsmasq dhcp-hostsfile; empty means $VAGOTH_HOME/var/dnsmasq/dhcp-hosts")
    String dhcp_hostsfile() default "";

    @AttributeDefinition(description = "dnsmasq addn-hosts file; empty means $VAGOTH_HOME/var/dnsmasq/hosts")
    String addn_hosts() default "";

    @AttributeDefinition(description = "dnsmasq's pidfile; when set, dnsmasq is sent SIGHUP after each change")
    String dnsmasq_pidfile() default "";
}
