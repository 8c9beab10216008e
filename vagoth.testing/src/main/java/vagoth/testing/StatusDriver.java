package vagoth.testing;

import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.virt.VmInfo;

/**
 * A driver for the monitor's tests: a test says what {@link #status} answers;
 * the monitor asks for nothing else, and every other call does nothing.
 */
public abstract class StatusDriver implements Driver {
    @Override
    public void provision(Node hv, Node vm) {
    }

    @Override
    public void define(Node hv, Node vm) {
    }

    @Override
    public void undefine(Node hv, Node vm) {
    }

    @Override
    public void deprovision(Node hv, Node vm) {
    }

    @Override
    public void start(Node hv, Node vm) {
    }

    @Override
    public void stop(Node hv, Node vm) {
    }

    @Override
    public void shutdown(Node hv, Node vm) {
    }

    @Override
    public void reboot(Node hv, Node vm) {
    }

    @Override
    public VmInfo info(Node hv, Node vm) {
        return null;
    }

    @Override
    public void migrate(Node hv, Node vm, Node destination) {
    }
}
