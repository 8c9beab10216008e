package vagoth.api.job;

import vagoth.api.VagothException;

/** No job has that id. */
public class JobNotFoundException extends VagothException {
    private static final long serialVersionUID = 1L;

    public JobNotFoundException(String id) {
        super("Job " + id + " not found", id);
    }
}
