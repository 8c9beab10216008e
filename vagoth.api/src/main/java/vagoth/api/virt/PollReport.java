package vagoth.api.virt;

import java.util.List;

/**
 * What one monitor pass found and did.
 *
 * @param polled      hypervisors that answered
 * @param unreachable hypervisors that did not answer
 * @param changes     one line per change made to the registry
 * @param warnings    things an operator should look at (a VM on two hypervisors, a stuck state...)
 */
public record PollReport(List<String> polled, List<String> unreachable, List<String> changes, List<String> warnings) {
    public PollReport {
        polled = List.copyOf(polled);
        unreachable = List.copyOf(unreachable);
        changes = List.copyOf(changes);
        warnings = List.copyOf(warnings);
    }
}
