package vagoth.api.telemetry;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives measurements from the bundles that make the work measured. A
 * bundle references it optionally and dynamically: with none registered
 * nothing is measured, and a report never throws into the caller's work.
 * Every label given is from a bounded set (an operation's or action's name,
 * a hypervisor's id), never a VM's name or a job's id. Calls come from any
 * thread, often at once.
 */
@ConsumerType
public interface Telemetry {
    /**
     * A registry operation ({@code find}, {@code list}, {@code add},
     * {@code update}, {@code parent}, {@code delete}) took
     * {@code nanos}; {@code failed} when it threw.
     */
    void registryOperation(String operation, long nanos, boolean failed);

    /**
     * A monitor pass polled {@code polled} hypervisors in {@code nanos};
     * {@code unreachable} of them did not answer.
     */
    void monitorPass(long nanos, int polled, int unreachable);

    /**
     * A call of {@code action} ({@code status}, {@code start}, ...) to the
     * agent of the hypervisor {@code hypervisor} (its id) took {@code nanos};
     * {@code failed} when the agent could not be reached or refused.
     */
    void agentCall(String hypervisor, String action, long nanos, boolean failed);

    /**
     * The monitor gave a warning it had not given in its previous pass (a
     * duplicate on a fenced hypervisor, a hypervisor that stopped answering...):
     * {@code kind} is from a bounded set ({@code duplicate}, {@code fenced},
     * {@code unreachable}, {@code lost}, {@code reported_twice}, {@code unknown_vm},
     * {@code bad_report}, {@code stuck}, {@code lease}, {@code ha}, {@code other}); {@code text}
     * is the warning as the operator reads it, control characters escaped.
     */
    default void monitorWarning(String kind, String text) {
    }

    /**
     * High availability decided something about a dead host or one of its VMs: {@code outcome} is
     * {@code recovered} (a VM runs elsewhere; {@code nanos} from its host's fence to its start's end),
     * {@code start_failed}, {@code gave_up}, {@code fence_failed} or {@code cut_off} ({@code nanos} 0 for these);
     * {@code text} says what, as the operator reads it. Each is an event too.
     */
    default void haDecision(String outcome, long nanos, String text) {
    }
}
