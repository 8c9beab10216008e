package vagoth.shell.internal;

/** Colour for states, only when the output is a terminal. */
record Style(boolean color) {
    static final Style PLAIN = new Style(false);
    private static final String RESET = "\u001b[0m";

    String state(String state) {
        if (!color) {
            return state;
        }
        String code = switch (state) {
            case "running", "up", "defined" -> "\u001b[32m";
            case "starting", "stopping", "shutting down", "rebooting", "migrating" -> "\u001b[33m";
            case "failed", "error", "unreachable" -> "\u001b[31m";
            case "stopped", "unassigned", "maintenance" -> "\u001b[36m";
            default -> null;
        };
        return code == null ? state : code + state + RESET;
    }
}
