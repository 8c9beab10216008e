package vagoth.api.virt;

import java.util.List;

import vagoth.api.allocator.Placement;

/**
 * What emptying a hypervisor would do, as {@code evacuate --dry-run} and the
 * API show it: a placement for each of its VMs, all planned together, none
 * back to it; nothing was changed to find out.
 *
 * @param hypervisor the hypervisor emptied (id)
 * @param placements one per VM on it, in the allocator's order
 */
public record Evacuation(String hypervisor, List<Placement> placements) {
    public Evacuation {
        placements = List.copyOf(placements);
    }

    /** The VMs that fit elsewhere, with where. */
    public List<Placement> moves() {
        return placements.stream().filter(Placement::fits).toList();
    }

    /** The VMs that fit nowhere, with each hypervisor's reason. */
    public List<Placement> stays() {
        return placements.stream().filter(p -> !p.fits()).toList();
    }
}
