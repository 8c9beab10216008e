package vagoth.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.driver.DriverException;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.VmInfo;

/** A driver for unit tests: records every call and fails the ones it is told to. */
public final class ScriptedDriver implements Driver {
    public final List<String> calls = new ArrayList<>();
    /** The state {@code info} reports for every VM. */
    public volatile String reportedState = "running";
    public final Map<String, String> failOn = new HashMap<>();
    /** As {@link #failOn}, with an exception that is no {@code DriverException}: a bug in a driver. */
    public final Map<String, String> bugOn = new HashMap<>();
    /** Whether it claims to move disks ({@link #copyDisk} then records the call and succeeds, or fails as told). */
    public boolean movesDisks;

    private void call(String op, Node hv, Node vm) {
        String key = op + " " + hv.id() + " " + vm.id();
        calls.add(key);
        String why = failOn.get(op + " " + hv.id());
        if (why != null) {
            throw new DriverException(hv.id() + ": " + op + " failed: " + why, vm.id());
        }
        String bug = bugOn.get(op + " " + hv.id());
        if (bug != null) {
            throw new IllegalStateException(bug);
        }
    }

    @Override
    public void provision(Node hv, Node vm) {
        call("provision", hv, vm);
    }

    @Override
    public void define(Node hv, Node vm) {
        call("define", hv, vm);
    }

    @Override
    public void undefine(Node hv, Node vm) {
        call("undefine", hv, vm);
    }

    @Override
    public void deprovision(Node hv, Node vm) {
        call("deprovision", hv, vm);
    }

    @Override
    public void start(Node hv, Node vm) {
        call("start", hv, vm);
    }

    @Override
    public void stop(Node hv, Node vm) {
        call("stop", hv, vm);
    }

    @Override
    public void shutdown(Node hv, Node vm) {
        call("shutdown", hv, vm);
    }

    @Override
    public void reboot(Node hv, Node vm) {
        call("reboot", hv, vm);
    }

    @Override
    public VmInfo info(Node hv, Node vm) {
        call("info", hv, vm);
        return new VmInfo(vm.definition(), reportedState, reportedState);
    }

    @Override
    public HypervisorStatus status(Node hv) {
        return new HypervisorStatus(Map.of(), Map.of());
    }

    @Override
    public void migrate(Node hv, Node vm, Node destination) {
        call("migrate", hv, vm);
    }

    @Override
    public boolean movesDisks() {
        return movesDisks;
    }

    @Override
    public long copyDisk(Node hv, Node vm, Node destination, java.util.function.LongConsumer progress) {
        if (!movesDisks) {
            return Driver.super.copyDisk(hv, vm, destination, progress);
        }
        call("copyDisk", hv, vm);
        progress.accept(1000);
        return 1000;
    }
}
