package vagoth.api.virt;

import java.util.Map;

/**
 * What a hypervisor reports of one of its virtual machines.
 *
 * @param definition the definition it runs with
 * @param state      {@code running}, {@code stopped}, {@code paused} or {@code unknown}
 * @param substate   finer detail the hypervisor gives
 */
public record VmInfo(Map<String, String> definition, String state, String substate) {
    public VmInfo {
        definition = definition == null ? Map.of() : Map.copyOf(definition);
    }
}
