package vagoth.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.osgi.annotation.versioning.ProviderType;

import vagoth.api.job.JobStore;
import vagoth.api.scheduler.Scheduler;
import vagoth.api.job.Transaction;
import vagoth.api.provision.Provisioner;
import vagoth.api.registry.Registry;

/**
 * The front door of Vagoth: nodes with their types' APIs, actions, and the
 * active registry, scheduler and provisioner.
 */
@ProviderType
public interface Manager {

    /**
     * @throws NodeNotFoundException    if there is no such node
     * @throws UnknownNodeTypeException if no node type handles its type
     */
    ManagedNode getNode(String id);

    ManagedNode getNodeByName(String name);

    ManagedNode getNodeByKey(String key);

    List<ManagedNode> getNodes(NodeQuery query);

    /** The ids of every node, ordered. */
    List<String> listNodes();

    /**
     * Runs action {@code name} now, in the current transaction (a new one
     * with the caller as source if there is none).
     *
     * @throws vagoth.api.action.UnknownActionException listing the known actions
     */
    Object action(String name, Map<String, String> args);

    /** @throws ServiceUnavailableException if no registry is active */
    Registry registry();

    /** @throws ServiceUnavailableException if no scheduler is active */
    Scheduler scheduler();

    /** @throws ServiceUnavailableException if no provisioner is active */
    Provisioner provisioner();

    /** @throws ServiceUnavailableException if no job store is active */
    JobStore jobs();

    /**
     * Cancels a queued job; asks a running one that can stop early (a live migration: {@code migrate} with
     * {@code live=true}) to stop, by marking its VM ({@link vagoth.api.virt.VmStates#CANCEL_REQUESTED}, the job's
     * id), which the migration watches, in whichever process runs it: it then undoes what it began and fails, saying
     * so. Any other running job is refused as {@link JobStore#cancel} refuses it.
     *
     * @return the job as it is now: still running when it was asked to stop
     */
    default vagoth.api.job.Job cancelJob(String id) {
        vagoth.api.job.Job j = jobs().get(id).orElseThrow(() -> new vagoth.api.job.JobNotFoundException(id));
        String vm = j.args().get(vagoth.api.action.Action.NODE_ARG);
        if (j.state() == vagoth.api.job.JobState.RUNNING && "migrate".equals(j.action())
                && "true".equals(j.args().get(vagoth.api.virt.VirtualMachine.LIVE)) && vm != null) {
            registry().updateMetadata(vm, java.util.Map.of(vagoth.api.virt.VmStates.CANCEL_REQUESTED, id),
                    java.util.List.of());
            return j;
        }
        return jobs().cancel(id);
    }

    /** The node types that have a handler now. */
    Set<String> nodeTypes();

    /** The actions available now. */
    Set<String> actions();

    /** The transaction the calling thread works in, if any. */
    Optional<Transaction> currentTransaction();

    /**
     * Runs {@code work} in the caller's transaction, or in a new one whose
     * source is this manager's configured source (by default the OS user).
     */
    <T> T inTransaction(Supplier<T> work);

    /**
     * Runs {@code work} in the caller's transaction, or in a new one whose
     * source is {@code source} when the caller has none. Nested calls keep the
     * first transaction.
     */
    <T> T inTransaction(String source, Supplier<T> work);

    /** Runs {@code work} in a transaction captured earlier (for example by a scheduler). */
    <T> T inTransaction(Transaction transaction, Supplier<T> work);

    /**
     * Runs {@code work} while no action runs on node {@code nodeId} in any
     * process sharing this installation, if none runs now; an action started
     * meanwhile in a process of this home waits for it. With job records
     * shared by several daemons, a job of the node's queue running in any of
     * them also makes the node busy. Used to repair what a crashed action left.
     *
     * @return false, without running it, when an action is under way on the node
     */
    default boolean ifNodeIdle(String nodeId, Runnable work) {
        work.run();
        return true;
    }
}
