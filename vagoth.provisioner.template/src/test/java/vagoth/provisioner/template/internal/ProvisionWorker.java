package vagoth.provisioner.template.internal;

import java.nio.file.Path;
import java.util.Map;

import vagoth.api.provision.ProvisionRequest;
import vagoth.registry.file.internal.FileRegistry;

/** A separate process provisioning VMs on a shared home: {@code <home> <prefix> <count>}; prints each VM's address. */
public final class ProvisionWorker {
    private ProvisionWorker() {
    }

    public static void main(String[] args) {
        Path home = Path.of(args[0]);
        try (FileRegistry registry = new FileRegistry(home.resolve("var/registry"), 1 << 20)) {
            TemplateProvisioner p = new TemplateProvisioner(registry, Configs.of(Map.of("range", "10.0.0.10-10.0.0.200")), home);
            for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                String id = args[1] + "-" + i;
                System.out.println(id + " " + p.provision(ProvisionRequest.of(id, "vm", Map.of())).definition().get("ip"));
                System.out.flush();
            }
        }
    }
}
