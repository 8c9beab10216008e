package vagoth.api;

/**
 * How the active registry, scheduler, provisioner, job store and allocator
 * are chosen. One configuration, {@value #PID}, holds a target filter per
 * reference name ({@code registry.target = (vagoth.registry=file)}); the
 * manager and every plugin that calls one of these services declare a
 * reference of that name and read that configuration, so one edit switches
 * them all. Without a target the highest ranking service is used.
 */
public final class Selection {
    /** The configuration (etc/vagoth.manager.cfg) holding the targets and {@link #SWAP_GRACE_MS}. */
    public static final String PID = "vagoth.manager";
    /** How long (ms) a call waits for the next service while one is being swapped. */
    public static final String SWAP_GRACE_MS = "swap.grace.ms";
    /** Its default: ten seconds. */
    public static final long DEFAULT_SWAP_GRACE_MS = 10_000;

    /** The reference name of the registry; its target is {@code registry.target}. */
    public static final String REGISTRY = "registry";
    /** The reference name of the scheduler; its target is {@code scheduler.target}. */
    public static final String SCHEDULER = "scheduler";
    /** The reference name of the provisioner; its target is {@code provisioner.target}. */
    public static final String PROVISIONER = "provisioner";
    /** The reference name of the job store; its target is {@code jobs.target}. */
    public static final String JOBS = "jobs";
    /** The reference name of the allocator; its target is {@code allocator.target}. */
    public static final String ALLOCATOR = "allocator";

    private Selection() {
    }
}
