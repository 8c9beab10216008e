package vagoth.api.virt;

import java.util.Set;

/** The states Vagoth records for virtual machines and hypervisors. */
public final class VmStates {
    public static final String UNKNOWN = "unknown";
    public static final String UNASSIGNED = "unassigned";
    public static final String DEFINED = "defined";
    public static final String STARTING = "starting";
    public static final String RUNNING = "running";
    public static final String STOPPING = "stopping";
    public static final String STOPPED = "stopped";
    public static final String SHUTTING_DOWN = "shutting down";
    public static final String REBOOTING = "rebooting";
    public static final String MIGRATING = "migrating";
    /** The last action failed; metadata {@value #LAST_ERROR} says why. */
    public static final String ERROR = "error";
    /** A hypervisor that answered its last poll. */
    public static final String UP = "up";
    /** A hypervisor that did not answer its last poll. */
    public static final String UNREACHABLE = "unreachable";
    /** A hypervisor taken out of placement by an operator. */
    public static final String MAINTENANCE = "maintenance";
    /**
     * A VM whose hypervisor has not answered for longer than the grace period:
     * it may still run there, so it keeps its parent and is never started,
     * defined or moved elsewhere until its hypervisor is fenced.
     */
    public static final String LOST = "lost";

    /** Metadata of a hypervisor: {@code true} once an operator fenced it (it is powered off); out of placement. */
    public static final String FENCED = "fenced";
    /** Metadata of a hypervisor: {@code true} while an operator keeps it out of placement. */
    public static final String MAINTENANCE_FLAG = "maintenance";
    /**
     * Metadata of a VM: the fenced hypervisor that still reports running a copy
     * of it. While it is set the VM is never started, defined or moved
     * anywhere: the copy must be stopped there ({@code unfence
     * --stop-duplicates}) or declared gone (fencing that hypervisor again once
     * it is off) first.
     */
    public static final String DUPLICATE_ON = "duplicate_on";
    /** Metadata of a VM released by fencing: the hypervisor it was on. */
    public static final String LAST_HOST = "last_host";
    /**
     * Metadata of a VM being migrated: where to. With {@link #MIGRATING} it
     * tells the monitor, should the migration be cut short by a crash, where
     * the VM may be found.
     */
    public static final String MIGRATING_TO = "migrating_to";
    /** Metadata of a hypervisor: when it first failed to answer, since it last answered. */
    public static final String UNREACHABLE_SINCE = "unreachable_since";
    /** Definition of a VM: {@code restart} asks high availability to restart it elsewhere when its host dies. */
    public static final String HA = "ha";
    /** The value of {@link #HA} that asks for recovery. */
    public static final String HA_RESTART = "restart";
    /** Definition of a VM: a number; recovery starts higher ones first (default 0). */
    public static final String HA_PRIORITY = "ha_priority";
    /** Metadata of a VM: what recovery did with it last, or why it does not recover it. */
    public static final String HA_STATE = "ha_state";
    /** Metadata of a VM: how many times recovery has started it on another host. */
    public static final String HA_RELOCATIONS = "ha_relocations";
    /** Metadata of a VM: starts that failed since its host was fenced. */
    public static final String HA_ATTEMPTS = "ha_attempts";
    /** Metadata of a VM or a host: recovery does not try it again before this instant. */
    public static final String HA_NEXT_TRY = "ha_next_try";
    /** Metadata of a host: why recovery could not fence it (its fence command's failure). */
    public static final String HA_FENCE_FAILED = "ha_fence_failed";
    /** Metadata of a host: fences recovery tried that failed, in a row. */
    public static final String HA_FENCE_ATTEMPTS = "ha_fence_attempts";
    /** Metadata of a hypervisor: how many polls in a row it has not answered (gone once it answers). */
    public static final String MISSED_POLLS = "missed_polls";

    /** Metadata: when the state last changed (ISO-8601). */
    public static final String STATE_SINCE = "state_since";
    /** Metadata: the message of the last failure. */
    public static final String LAST_ERROR = "last_error";
    /** Metadata: the id of a live migration's job an operator asked to cancel ({@code vagoth cancel}). */
    public static final String CANCEL_REQUESTED = "cancel_requested";
    /** Metadata: what the hypervisor's last report added to the state (why it stopped, a migration's phase). */
    public static final String SUBSTATE = "substate";

    /** Every state Vagoth records: what {@code set --state} accepts without {@code --force}. */
    public static final Set<String> KNOWN = Set.of(UNKNOWN, UNASSIGNED, DEFINED, STARTING, RUNNING, STOPPING, STOPPED,
            SHUTTING_DOWN, REBOOTING, MIGRATING, ERROR, UP, UNREACHABLE, MAINTENANCE, LOST, "paused");

    /** States that should resolve by themselves soon; one that lasts is reported as stuck. */
    public static final Set<String> TRANSITIONAL = Set.of(STARTING, STOPPING, SHUTTING_DOWN, REBOOTING, MIGRATING);

    private VmStates() {
    }
}
