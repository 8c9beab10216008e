package vagoth.support.geats;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The operations of the Geats agent protocol, as the driver sends them and the
 * agent serves them: one request names one ({@code "action": "define"}), with
 * the VM it is about ({@link #VM_NAME}), the VM's definition when the
 * operation {@link #carriesDefinition() carries it}, and the destination of a
 * migration ({@link #VM_DESTINATION}).
 */
public enum GeatsOperation {
    /** The host's facts and every VM on it. */
    STATUS(false, false),
    DEFINE(true, true),
    PROVISION(true, true),
    UNDEFINE(true, false),
    DEPROVISION(true, false),
    START(false, false),
    STOP(false, false),
    SHUTDOWN(false, false),
    REBOOT(false, false),
    /** One VM's definition and state. */
    INFO(false, false),
    MIGRATE(true, false),
    /** Stream mode only ({@code --stream}): the VM's disk and definition go out as a framed tar stream. */
    EXPORT(true, false),
    /** Stream mode only: a disk exported elsewhere comes in; it is kept only when its checksum holds. */
    IMPORT(true, true),
    /**
     * A live migration's destination: the guest started waiting for its memory on {@link #ADDRESS} (and, with
     * {@link #COPY_DISK}, an empty disk exported for the source to mirror into); answers {@link #URI} and
     * {@link #NBD}.
     */
    LIVE_PREPARE(true, true),
    /**
     * Stream mode only: the source sends disk and memory to {@link #URI} (and {@link #NBD}); progress lines, then
     * the answer once QEMU says completed (total time and downtime). A failure leaves the source running.
     */
    LIVE_SEND(true, false),
    /** The destination's guest running (resumed if it waited for a copied disk). */
    LIVE_FINISH(true, false),
    /** {@link #SIDE} {@code source}: cancel and resume there; {@code destination}: end the arrival and remove it. */
    LIVE_ABORT(true, false),
    /**
     * Stream mode only: the guest's serial console. The answer line, then the console's bytes out and the
     * terminal's bytes in, raw, until input ends or brings {@link #CONSOLE_ESCAPE} (Ctrl-]).
     */
    CONSOLE(false, false),
    /** The last {@link #LINES} lines of the guest's serial log (what its console printed), as {@code lines}. */
    SERIAL_LOG(false, false);

    /** The byte that leaves a console: Ctrl-]. */
    public static final int CONSOLE_ESCAPE = 0x1d;

    /** The request field naming the VM. */
    public static final String VM_NAME = "vm_name";
    /** The request field holding the VM's definition. */
    public static final String DEFINITION = "definition";
    /** The export's answer field, and the import's request field: where the disk lay at its source. */
    public static final String SOURCE_PATH = "source_path";
    /** The request field naming a migration's destination hypervisor. */
    public static final String VM_DESTINATION = "vm_destination";

    /** live_prepare: the address the destination waits for the guest's memory on. */
    public static final String ADDRESS = "address";
    /** live_prepare: whether the disk is copied (no shared storage), into a disk the destination makes. */
    public static final String COPY_DISK = "copy_disk";
    /** live_prepare's answer and live_send's request: where the memory goes ({@code tcp:HOST:PORT}). */
    public static final String URI = "uri";
    /** live_prepare's answer and live_send's request: where the disk is mirrored to, or absent. */
    public static final String NBD = "nbd";
    /** live_send: the downtime QEMU may allow itself for the last round, in milliseconds. */
    public static final String DOWNTIME_MS = "downtime_ms";
    /** live_send: the bandwidth the migration may use, in MiB/s. */
    public static final String BANDWIDTH = "bandwidth_mib_s";
    /** live_send: how long the migration may take, in seconds, before it is cancelled. */
    public static final String TIMEOUT_S = "timeout_s";
    /**
     * live_abort at the source: only cancel the migration (QEMU resumes the guest itself; one that completed is
     * left as it is), never resume the guest by a {@code cont}.
     */
    public static final String CANCEL_ONLY = "cancel_only";
    /** serial_log: how many of the log's last lines are wanted. */
    public static final String LINES = "lines";
    /** serial_log: the most lines one request answers. */
    public static final int MAX_LINES = 1000;
    /** live_abort: {@code source} or {@code destination}. */
    public static final String SIDE = "side";

    private final boolean slow;
    private final boolean carriesDefinition;

    GeatsOperation(boolean slow, boolean carriesDefinition) {
        this.slow = slow;
        this.carriesDefinition = carriesDefinition;
    }

    /** Whether it works on disks or a definition, and so gets the long timeout. */
    public boolean slow() {
        return slow;
    }

    /** Whether the request carries the VM's definition. */
    public boolean carriesDefinition() {
        return carriesDefinition;
    }

    /** Whether it is served only in stream mode, where a disk follows the request or the answer. */
    public boolean streamed() {
        return this == EXPORT || this == IMPORT || this == LIVE_SEND || this == CONSOLE;
    }

    /** Its name on the wire: {@code define}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The operation a request names, if it is one. */
    public static Optional<GeatsOperation> of(String wire) {
        return Arrays.stream(values()).filter(o -> o.wire().equals(wire)).findFirst();
    }

    /** Every operation's wire name, in protocol order. */
    public static List<String> names() {
        return Arrays.stream(values()).map(GeatsOperation::wire).toList();
    }
}
