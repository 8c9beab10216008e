package vagoth.api.driver;

import vagoth.api.Node;

import org.osgi.annotation.versioning.ConsumerType;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.VmInfo;

/**
 * Controls the virtual machines of one kind of hypervisor. Published with
 * {@link #NAME} set ({@link VagothDriver}); a hypervisor chooses its driver by
 * its definition's {@link #DEFINITION_KEY} key. Every operation throws
 * {@link DriverException} with a message an operator can act on.
 */
@ConsumerType
public interface Driver {
    /** Service property: the driver's name. */
    String NAME = "vagoth.driver";
    /** The hypervisor definition key naming its driver. */
    String DEFINITION_KEY = "driver";

    void provision(Node hypervisor, Node vm);

    void define(Node hypervisor, Node vm);

    void undefine(Node hypervisor, Node vm);

    void deprovision(Node hypervisor, Node vm);

    void start(Node hypervisor, Node vm);

    void stop(Node hypervisor, Node vm);

    void shutdown(Node hypervisor, Node vm);

    void reboot(Node hypervisor, Node vm);

    VmInfo info(Node hypervisor, Node vm);

    HypervisorStatus status(Node hypervisor);

    void migrate(Node hypervisor, Node vm, Node destination);

    /** Whether {@link #copyDisk} can move a disk between this driver's hypervisors. */
    default boolean movesDisks() {
        return false;
    }

    /**
     * Copies a stopped VM's disk and definition from {@code hypervisor} to
     * {@code destination} (another hypervisor of this driver, which need not
     * share its storage or reach it), checking on arrival that what came is
     * what left; the VM is then defined at the destination, stopped, and is
     * still whole at the source. A copy that fails, or is cut short, leaves
     * nothing at the destination. {@code progress} hears the bytes copied so
     * far, from the copying thread.
     *
     * @return how many bytes were copied
     * @throws DriverException when the copy failed (saying where), or this driver cannot move disks
     */
    default long copyDisk(Node hypervisor, Node vm, Node destination, java.util.function.LongConsumer progress) {
        throw new DriverException("the driver of " + hypervisor.id() + " cannot move a disk between hypervisors",
                vm.id());
    }

    /** Whether this driver's hypervisors can move a running VM between them live ({@link #livePrepare} and on). */
    default boolean migratesLive() {
        return false;
    }

    /**
     * A live migration's destination made ready: {@code vm} started on {@code hypervisor} waiting for its memory on
     * {@code address}, with {@code definition} (the source's, its virtual hardware pinned there); with
     * {@code copyDisk}, an empty disk exported for the source to mirror into.
     *
     * @throws DriverException when the destination cannot take it (nothing is left there then)
     */
    default LiveMigration.Target livePrepare(Node hypervisor, Node vm, java.util.Map<String, String> definition,
            String address, boolean copyDisk) {
        throw new DriverException("the driver of " + hypervisor.id() + " cannot migrate live", vm.id());
    }

    /**
     * The source's half: disk (if copied) and memory sent to {@code target}; returns once QEMU says completed (the
     * source is then paused, the destination has the guest). {@code progress} hears each report. A failure leaves
     * the guest running at the source.
     */
    default LiveMigration.Result liveSend(Node hypervisor, Node vm, LiveMigration.Target target,
            LiveMigration.Limits limits, java.util.function.Consumer<LiveMigration.Progress> progress) {
        throw new DriverException("the driver of " + hypervisor.id() + " cannot migrate live", vm.id());
    }

    /**
     * Cancels the migration under way at the source, and only that: QEMU resumes the guest there itself; a
     * migration that has completed already is left as it is.
     */
    default void liveCancel(Node hypervisor, Node vm) {
        throw new DriverException("the driver of " + hypervisor.id() + " cannot migrate live", vm.id());
    }

    /** The destination's guest running (resumed if it waited for a copied disk). */
    default void liveFinish(Node hypervisor, Node vm) {
        throw new DriverException("the driver of " + hypervisor.id() + " cannot migrate live", vm.id());
    }

    /**
     * Undoes a live migration at one end: at the {@code source}, cancelled and the guest running; at the
     * destination, the arriving guest ended and its files removed.
     */
    default void liveAbort(Node hypervisor, Node vm, boolean source) {
        throw new DriverException("the driver of " + hypervisor.id() + " cannot migrate live", vm.id());
    }

    /**
     * The last {@code lines} lines {@code vm} printed on its serial console, oldest first, as text to show (what a
     * terminal would act on left out).
     *
     * @throws DriverException when its hypervisor keeps no serial log, or cannot be reached
     */
    default java.util.List<String> serialLog(Node hypervisor, Node vm, int lines) {
        throw new DriverException("the driver of " + hypervisor.id() + " keeps no serial log", vm.id());
    }
}
