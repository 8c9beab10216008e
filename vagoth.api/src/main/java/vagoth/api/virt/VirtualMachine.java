package vagoth.api.virt;

import vagoth.api.ManagedNode;

import org.osgi.annotation.versioning.ProviderType;

/** A node of type {@code vm}: each operation schedules its action on the VM's queue. */
@ProviderType
public interface VirtualMachine extends ManagedNode {
    String TYPE = "vm";

    void define(String hint);

    void undefine();

    void provision(String hint);

    void deprovision();

    void start();

    void stop();

    void shutdown();

    void reboot();

    void migrate(String destination);
}
