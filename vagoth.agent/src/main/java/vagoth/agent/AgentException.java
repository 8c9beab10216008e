package vagoth.agent;

/** A request the agent refuses or cannot carry out: answered as {@code success: false}. */
final class AgentException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    AgentException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    String code() {
        return code;
    }
}
