package vagoth.api.virt;

import vagoth.api.ManagedNode;
import vagoth.api.job.Job;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A node of type {@code vm}. Each operation schedules its action on the VM's
 * own queue (named after its id) and returns the job: finished when the
 * scheduler runs actions inline, queued when it runs them in the background.
 */
@ProviderType
public interface VirtualMachine extends ManagedNode {
    String TYPE = "vm";
    /** Action argument: the hypervisor an operator asked for. */
    String HINT = "hint";
    /** Action argument: where {@code migrate} moves the VM. */
    String DESTINATION = "destination";
    /** Action argument of {@code migrate}: {@code true} to move it while it runs (DESIGN section 10). */
    String LIVE = "live";

    /** @param hint a hypervisor id to place it on, or {@code null} to let the allocator choose */
    Job define(String hint);

    Job undefine();

    Job provision(String hint);

    Job deprovision();

    Job start();

    Job stop();

    Job shutdown();

    Job reboot();

    Job migrate(String destination);

    /** {@code migrate} while it runs, when {@code live}; else as {@link #migrate(String)}. */
    Job migrate(String destination, boolean live);

    /**
     * Whether it can move live now: it runs, on a hypervisor whose driver migrates live and whose last poll said it
     * runs QEMU guests (its {@code accel} fact). {@code evacuate --live} moves such VMs live, the others cold.
     */
    boolean canMigrateLive();

    /**
     * Where {@code define} would place it ({@code hint}: only there, or null: the allocator's choice) and why not
     * elsewhere; nothing changes.
     */
    vagoth.api.allocator.Placement planPlacement(String hint);

    /**
     * What {@code migrate} would do: to {@code destination} only, or, when null, to the allocator's choice away from
     * its host; nothing changes.
     *
     * @throws vagoth.api.VagothException when it is on no hypervisor
     */
    MigrationPlan planMigration(String destination);
}
