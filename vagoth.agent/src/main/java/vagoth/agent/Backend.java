package vagoth.agent;

import java.util.List;
import java.util.Map;

/**
 * What a hypervisor can do with its virtual machines. Names reaching a back
 * end have been validated. Every method throws {@link AgentException} with an
 * error code and a message the operator can act on.
 */
interface Backend {

    /** A VM as the hypervisor knows it: its definition, state and substate. */
    record Info(Map<String, String> definition, String state, String substate) {
    }

    /** Every VM and the host's facts. */
    record Status(Map<String, Info> vms, Map<String, Object> host) {
    }

    void define(String name, Map<String, String> definition) throws AgentException;

    void provision(String name, Map<String, String> definition) throws AgentException;

    void undefine(String name) throws AgentException;

    void deprovision(String name) throws AgentException;

    void start(String name) throws AgentException;

    void stop(String name) throws AgentException;

    void shutdown(String name) throws AgentException;

    void reboot(String name) throws AgentException;

    Info info(String name) throws AgentException;

    Status status() throws AgentException;

    void migrate(String name, String destination) throws AgentException;

    /** A stopped VM's disk, ready to leave: its definition, where it lies, and the tar command that writes it. */
    record Export(Map<String, String> definition, String path, List<String> tar) {
    }

    /** A disk on its way in: unpacked by {@code tar} into a staging place, then committed or dropped. */
    interface Import {
        /** The command that unpacks the stream (its standard input). */
        List<String> tar();

        /** Puts the unpacked disk in place: the VM is then defined here, stopped. */
        void commit() throws AgentException;

        /** Removes what was unpacked; nothing of it stays. */
        void abort();
    }

    /** The disk of {@code name} (defined here, not running) to export. */
    Export export(String name) throws AgentException;

    /**
     * Makes ready to receive {@code name}'s disk, exported from
     * {@code sourcePath} elsewhere; refused when a VM of that name is here.
     */
    Import importing(String name, Map<String, String> definition, String sourcePath) throws AgentException;

    /** A live migration's destination made ready ({@link LiveMigration#prepare}): its {@code uri} and {@code nbd}. */
    default Map<String, Object> livePrepare(String name, Map<String, String> definition, String address,
            boolean copyDisk) throws AgentException {
        throw notLive();
    }

    /** The source's half of a live migration ({@link LiveMigration#send}). */
    default Map<String, Object> liveSend(String name, String uri, String nbd, LiveMigration.Limits limits,
            java.util.function.Consumer<Map<String, Object>> progress) throws AgentException {
        throw notLive();
    }

    /** The destination's guest running ({@link LiveMigration#finish}). */
    default Map<String, Object> liveFinish(String name) throws AgentException {
        throw notLive();
    }

    /** Cancels the migration under way at the source, nothing more ({@link LiveMigration#cancel}). */
    default void liveCancel(String name) throws AgentException {
        throw notLive();
    }

    /** Undoes a live migration at one end ({@link LiveMigration#abort}). */
    default void liveAbort(String name, boolean source) throws AgentException {
        throw notLive();
    }

    /** Where the running guest's serial console is served (a Unix socket). */
    /** The last {@code lines} lines the guest printed on its serial console, oldest first. */
    default List<String> serialLog(String name, int lines) throws AgentException {
        throw new AgentException("not_supported", "this back end keeps no serial log (the qemu and sim back ends do)");
    }

    default java.nio.file.Path console(String name) throws AgentException {
        throw new AgentException("not_supported", "this back end has no serial console (the qemu back end does)");
    }

    private static AgentException notLive() {
        return new AgentException("not_supported", "this back end does not migrate live (the qemu back end does)");
    }
}
