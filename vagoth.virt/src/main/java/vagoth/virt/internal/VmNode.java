package vagoth.virt.internal;

import java.util.HashMap;
import java.util.Map;

import vagoth.api.nodetype.BaseManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.action.Action;
import vagoth.api.job.Job;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.scheduler.Scheduler;
import vagoth.support.bind.Current;

/** A virtual machine: every operation is its action, scheduled on the VM's own queue. */
final class VmNode extends BaseManagedNode implements VirtualMachine {

    private final Current<Scheduler> scheduler;
    private final Planner planner;

    VmNode(Manager manager, Node node, Current<Scheduler> scheduler, Planner planner) {
        super(manager, node);
        this.scheduler = scheduler;
        this.planner = planner;
    }

    @Override
    public vagoth.api.allocator.Placement planPlacement(String hint) {
        return planner.placement(manager().registry().getNode(id()), hint);
    }

    @Override
    public vagoth.api.virt.MigrationPlan planMigration(String destination) {
        return planner.migration(manager().registry(), this, destination);
    }

    private Job schedule(String action, String key, String value) {
        Map<String, String> args = new HashMap<>();
        args.put(Action.NODE_ARG, id());
        if (value != null) {
            args.put(key, value);
        }
        return scheduler.get().schedule(id(), action, args);
    }

    @Override
    public Job define(String hint) {
        return schedule("define", HINT, hint);
    }

    @Override
    public Job undefine() {
        return schedule("undefine", null, null);
    }

    @Override
    public Job provision(String hint) {
        return schedule("provision", HINT, hint);
    }

    @Override
    public Job deprovision() {
        return schedule("deprovision", null, null);
    }

    @Override
    public Job start() {
        return schedule("start", null, null);
    }

    @Override
    public Job stop() {
        return schedule("stop", null, null);
    }

    @Override
    public Job shutdown() {
        return schedule("shutdown", null, null);
    }

    @Override
    public Job reboot() {
        return schedule("reboot", null, null);
    }

    @Override
    public Job migrate(String destination) {
        return schedule("migrate", DESTINATION, destination);
    }

    @Override
    public boolean canMigrateLive() {
        Node vm = manager().registry().getNode(id());
        if (!vagoth.api.virt.VmStates.RUNNING.equals(vm.state()) || !vm.hasParent()) {
            return false;
        }
        try {
            vagoth.api.ManagedNode hv = manager().getNode(vm.parent());
            return hv instanceof vagoth.api.virt.Hypervisor h && h.node().metadata().containsKey("accel")
                    && h.driver().migratesLive();
        } catch (vagoth.api.VagothException e) {
            return false; // no driver now: it moves cold, or is refused with the reason
        }
    }

    @Override
    public Job migrate(String destination, boolean live) {
        if (!live) {
            return migrate(destination);
        }
        Map<String, String> args = new HashMap<>();
        args.put(Action.NODE_ARG, id());
        args.put(DESTINATION, destination);
        args.put(LIVE, "true");
        return scheduler.get().schedule(id(), "migrate", args);
    }
}
