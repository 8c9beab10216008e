package vagoth.agent;

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
}
