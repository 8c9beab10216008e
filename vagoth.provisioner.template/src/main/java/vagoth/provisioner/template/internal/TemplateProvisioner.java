package vagoth.provisioner.template.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.provision.Deprovisioning;
import vagoth.api.Selection;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.provision.Provisioner;
import vagoth.api.provision.ProvisioningException;
import vagoth.api.registry.Registry;
import vagoth.api.provision.TemplateCatalog;
import vagoth.api.registry.UniqueKeyViolationException;
import vagoth.api.VagothException;
import vagoth.api.virt.VirtualMachine;
import vagoth.support.bind.Current;
import vagoth.support.bind.FollowingRegistry;
import vagoth.api.provision.VagothProvisioner;
import vagoth.api.Installation;

/**
 * The provisioner of the original's example: {@code template=debian} expands
 * into a full definition (given pairs win), a VM gets a free IP and a locally
 * administered MAC claimed as its unique keys ({@code ip-10.0.0.5},
 * {@code mac-02:...}) in the same registry change that adds it, and dnsmasq's
 * DHCP and DNS files follow. A failed step undoes the ones before it.
 */
@Component(service = {Provisioner.class, TemplateCatalog.class}, configurationPid = {Selection.PID, TemplateProvisioner.PID})
@VagothProvisioner("template")
public final class TemplateProvisioner implements Provisioner, TemplateCatalog {
    static final String PID = "vagoth.provisioner.template";
    private static final int ATTEMPTS = 64;

    private final FollowingRegistry registry;
    private final Templates templates;
    private final Network network;
    private final DnsmasqFiles dnsmasq;
    /**
     * Where the next search for a free address starts: after the last one
     * handed out, so a {@code new} costs the same at 100,000 VMs as at ten
     * (a search wraps around once; another process's claim is caught by the
     * registry's unique key and the search moves on).
     */
    private volatile long nextFree;

    @Activate
    public TemplateProvisioner(TemplateProvisionerConfig config, Map<String, Object> props, BundleContext context) {
        this(new FollowingRegistry(Current.grace(props)), config, Path.of(home(context)));
    }

    /** Over a fixed registry: for tests and embedding. */
    public TemplateProvisioner(Registry registry, TemplateProvisionerConfig config, Path home) {
        this(FollowingRegistry.of(registry), config, home);
    }

    private TemplateProvisioner(FollowingRegistry registry, TemplateProvisionerConfig config, Path home) {
        this.registry = registry;
        this.templates = new Templates(path(config.templates_dir(), home.resolve("etc/templates")));
        this.network = Network.parse(config.subnet(), config.gateway(), config.range(), config.domain());
        Path dir = path(config.dnsmasq_dir(), home.resolve("var/dnsmasq")).toAbsolutePath().normalize();
        this.dnsmasq = new DnsmasqFiles(dir.resolve("dhcp-hosts.d"), dir.resolve("hosts.d"),
                config.dnsmasq_pidfile().isBlank() ? null : Path.of(config.dnsmasq_pidfile()), network.domain(),
                !dir.startsWith(home.toAbsolutePath().normalize()));
        this.nextFree = network.first();
    }

    @Reference(name = Selection.REGISTRY, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRegistry(Registry r) {
        registry.bind(r);
    }

    void unbindRegistry(Registry r) {
        registry.unbind(r);
    }

    private static String home(BundleContext context) {
        String home = context.getProperty(Installation.HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            throw new ProvisioningException("The template provisioner needs vagoth.home", null);
        }
        return home;
    }

    private static Path path(String configured, Path fallback) {
        return configured == null || configured.isBlank() ? fallback : Path.of(configured);
    }

    @Override
    public Map<String, Map<String, String>> templates() {
        return templates.all();
    }

    @Override
    public Node provision(ProvisionRequest request) {
        Node node = request.toNode().validate();
        Map<String, String> definition = new LinkedHashMap<>();
        String template = node.definition().get("template");
        if (template != null) {
            definition.putAll(templates.get(template, node.id()));
        }
        definition.putAll(node.definition());
        Registry registry = this.registry;
        Node added;
        if (node.type().equals(VirtualMachine.TYPE)) {
            added = addWithAddresses(registry, node, definition);
        } else {
            added = registry.addNode(node.withDefinition(definition));
        }
        DnsmasqFiles.Host host = host(added);
        if (host != null) {
            try {
                dnsmasq.put(host);
            } catch (VagothException e) {
                registry.deleteNode(added.id()); // releases its addresses
                throw new ProvisioningException("Provisioning " + node.id() + " was rolled back: " + e.getMessage(),
                        node.id(), e);
            }
        }
        return added;
    }

    /** What dnsmasq should know of {@code n}: null when it holds no address. */
    private static DnsmasqFiles.Host host(Node n) {
        String ip = n.definition().get("ip");
        String mac = n.definition().get("mac");
        return n.type().equals(VirtualMachine.TYPE) && ip != null && mac != null && n.keys().contains("ip-" + ip)
                ? new DnsmasqFiles.Host(n.id(), n.name(), ip, mac) : null;
    }

    /** Claims addresses in the same registry change that adds the node; retries when another process took them first. */
    private Node addWithAddresses(Registry registry, Node node, Map<String, String> definition) {
        String ip = definition.get("ip");
        String mac = definition.get("mac");
        boolean chosen = ip == null;
        long start = nextFree;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long address = chosen ? free(registry, start, node.id()) : explicitIp(ip, node.id());
            String macAddress = mac != null ? explicitMac(mac, node.id()) : Network.macFor(address);
            Map<String, String> def = new LinkedHashMap<>(definition);
            def.put("ip", Network.dotted(address));
            def.put("mac", macAddress);
            def.put("gateway", Network.dotted(network.gateway()));
            def.put("netmask", network.netmask());
            def.put("fqdn", node.name() + "." + network.domain());
            Set<String> keys = new HashSet<>(node.keys());
            keys.add("ip-" + Network.dotted(address));
            keys.add("mac-" + macAddress);
            try {
                Node added = registry.addNode(node.withDefinition(def).withKeys(keys));
                if (chosen) {
                    nextFree = address + 1;
                }
                return added;
            } catch (UniqueKeyViolationException e) {
                boolean ours = e.value().startsWith("ip-") || mac == null && e.value().startsWith("mac-");
                if (!chosen || e.kind() != UniqueKeyViolationException.Kind.KEY || !ours) {
                    if (e.kind() != UniqueKeyViolationException.Kind.KEY) {
                        throw e;
                    }
                    // a MAC derived from the address is taken because the address is: name what was asked for
                    boolean derivedMac = mac == null && e.value().startsWith("mac-");
                    String what = e.value().startsWith("ip-") || derivedMac ? "ip=" + Network.dotted(address)
                            : "mac=" + macAddress;
                    throw new ProvisioningException(what + " is taken by " + e.owner(), node.id(), e);
                }
                start = address + 1; // another process took it between our look and our claim
            }
        }
        throw new ProvisioningException("Could not claim a free address after " + ATTEMPTS + " attempts", node.id());
    }

    private long free(Registry registry, long from, String id) {
        long size = network.last() - network.first() + 1;
        long start = from < network.first() || from > network.last() ? network.first() : from;
        for (long i = 0; i < size; i++) {
            long a = network.first() + (start - network.first() + i) % size;
            if (a != network.gateway() && registry.findNodeByKey("ip-" + Network.dotted(a)).isEmpty()) {
                return a;
            }
        }
        throw new ProvisioningException("No free address left in " + Network.dotted(network.first()) + "-"
                + Network.dotted(network.last()) + " (" + (network.last() - network.first() + 1)
                + " addresses, all taken); widen the range or deprovision nodes", id);
    }

    private long explicitIp(String ip, String id) {
        long a;
        try {
            a = Network.ip(ip);
        } catch (RuntimeException e) {
            throw new ProvisioningException("ip=" + ip + " is not an IPv4 address", id);
        }
        if (!network.contains(a) || a == network.gateway()) {
            throw new ProvisioningException("ip=" + ip + " is outside the network " + Network.dotted(network.base()) + "/"
                    + network.prefix() + " or is its gateway", id);
        }
        return a;
    }

    private static String explicitMac(String mac, String id) {
        if (!Network.isMac(mac)) {
            throw new ProvisioningException("mac=" + mac + " is not a unicast MAC address other than"
                    + " 00:00:00:00:00:00 (like 02:00:0a:00:00:05)", id);
        }
        return mac.toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void deprovision(String id) {
        Registry registry = this.registry;
        Deprovisioning.requireFree(registry, id);
        DnsmasqFiles.Host host = host(registry.getNode(id));
        dnsmasq.remove(id); // withdraw its DHCP and DNS entries first
        try {
            registry.deleteNode(id);
        } catch (VagothException e) {
            if (host != null) {
                dnsmasq.put(host); // it stays: so do its entries
            }
            throw e;
        }
    }

    /** Its DNS name and {@code fqdn} follow the new name, in the same command. */
    @Override
    public List<String> renamed(String id) {
        Registry registry = this.registry;
        Node n = registry.getNode(id);
        String fqdn = n.definition().get("fqdn");
        if (fqdn != null && fqdn.endsWith("." + network.domain()) && !fqdn.equals(n.name() + "." + network.domain())) {
            Map<String, String> def = new LinkedHashMap<>(n.definition());
            def.put("fqdn", n.name() + "." + network.domain());
            n = registry.updateNode(id, vagoth.api.registry.NodeUpdate.builder().definition(def).build());
        }
        DnsmasqFiles.Host host = host(n);
        return host == null ? List.of() : dnsmasq.put(host);
    }

    /**
     * Brings the dnsmasq directories in line with every VM that holds an
     * address, read from the registry (which refuses to open a lost store
     * rather than read empty, so this never wipes them for a registry that
     * went missing).
     */
    @Override
    public List<String> reconcile() {
        List<DnsmasqFiles.Host> hosts = new ArrayList<>();
        for (Node n : registry.getNodes(NodeQuery.all().withType(VirtualMachine.TYPE))) {
            DnsmasqFiles.Host h = host(n);
            if (h != null) {
                hosts.add(h);
            }
        }
        return dnsmasq.reconcile(hosts);
    }
}
