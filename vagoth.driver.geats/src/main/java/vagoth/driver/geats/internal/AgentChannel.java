package vagoth.driver.geats.internal;

import java.time.Duration;

/** A way to send one request to a hypervisor's agent and get its raw answer line. */
interface AgentChannel extends AutoCloseable {

    /**
     * @return the agent's answer (one JSON object, unparsed)
     * @throws AgentFailure when the agent cannot be run, exits non-zero, or does not answer in time
     */
    String call(String request, Duration timeout) throws AgentFailure;

    @Override
    void close();

    /** Why an agent gave no answer; the message is for the operator. */
    final class AgentFailure extends Exception {
        private static final long serialVersionUID = 1L;

        AgentFailure(String message) {
            super(message, null, false, false);
        }
    }
}
