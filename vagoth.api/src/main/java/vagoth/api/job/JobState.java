package vagoth.api.job;

/** Where a job is in its life. */
public enum JobState {
    QUEUED, RUNNING, DONE, FAILED, CANCELLED,
    /** It was running when its container stopped; it is not run again by itself. */
    INTERRUPTED;

    public boolean isFinished() {
        return this != QUEUED && this != RUNNING;
    }

    /** The lower-case name operators see. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
