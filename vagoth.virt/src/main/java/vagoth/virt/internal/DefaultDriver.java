package vagoth.virt.internal;

import org.osgi.service.component.annotations.Component;

import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.driver.DriverException;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.driver.VagothDriver;
import vagoth.api.virt.VmInfo;

/** The driver of a hypervisor whose definition names none, as the original's dummy driver: it refuses everything. */
@Component
@VagothDriver(DriverBoard.DEFAULT)
public final class DefaultDriver implements Driver {

    private static DriverException refuse(Node hv, String what) {
        return new DriverException(hv.id() + " has no driver, so it cannot " + what
                + "; give it one in its definition, e.g. driver=geats agent=\"vagoth-agent --backend sim --state DIR\"",
                hv.id());
    }

    @Override
    public void provision(Node hv, Node vm) {
        throw refuse(hv, "provision " + vm.id());
    }

    @Override
    public void define(Node hv, Node vm) {
        throw refuse(hv, "define " + vm.id());
    }

    @Override
    public void undefine(Node hv, Node vm) {
        throw refuse(hv, "undefine " + vm.id());
    }

    @Override
    public void deprovision(Node hv, Node vm) {
        throw refuse(hv, "deprovision " + vm.id());
    }

    @Override
    public void start(Node hv, Node vm) {
        throw refuse(hv, "start " + vm.id());
    }

    @Override
    public void stop(Node hv, Node vm) {
        throw refuse(hv, "stop " + vm.id());
    }

    @Override
    public void shutdown(Node hv, Node vm) {
        throw refuse(hv, "shut down " + vm.id());
    }

    @Override
    public void reboot(Node hv, Node vm) {
        throw refuse(hv, "reboot " + vm.id());
    }

    @Override
    public VmInfo info(Node hv, Node vm) {
        throw refuse(hv, "report on " + vm.id());
    }

    @Override
    public HypervisorStatus status(Node hv) {
        throw refuse(hv, "report its status");
    }

    @Override
    public void migrate(Node hv, Node vm, Node destination) {
        throw refuse(hv, "migrate " + vm.id());
    }
}
