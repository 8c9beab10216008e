package vagoth.shell.internal;

import java.util.List;
import java.util.Map;

import vagoth.api.allocator.Placement;
import vagoth.api.allocator.Room;

/** Plans and room as an operator reads them: what goes where, and why not elsewhere. */
final class PlanFormat {
    private PlanFormat() {
    }

    /** {@code vm1 -> hyper2}, then a line per other hypervisor with why it was not chosen. */
    static String placement(Placement p, String name) {
        StringBuilder sb = new StringBuilder();
        sb.append(name).append(p.fits() ? " -> " + p.chosen() : ": fits nowhere");
        for (Map.Entry<String, String> o : new java.util.TreeMap<>(p.others()).entrySet()) {
            sb.append("\n    ").append(o.getKey()).append(": ").append(o.getValue());
        }
        return sb.toString();
    }

    /** A row per hypervisor (how many more, what limits it) and the total. */
    static String room(List<Room> rooms) {
        StringBuilder sb = new StringBuilder();
        long total = 0;
        boolean unbounded = false;
        int width = rooms.stream().mapToInt(r -> r.hypervisor().length()).max().orElse(2);
        for (Room r : rooms) {
            String more = r.more() < 0 ? "any" : String.valueOf(r.more());
            sb.append(String.format("%-" + width + "s  %5s  %s%n", r.hypervisor(), more,
                    r.more() == 0 ? r.limit() : "limited by " + r.limit()));
            if (r.more() < 0) {
                unbounded = true;
            } else {
                total += r.more();
            }
        }
        sb.append("total: ").append(unbounded ? "no limit (it asks for no RAM or CPUs)" : total + " more");
        return sb.toString();
    }
}
