package org.example.vagoth.driver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;

import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.driver.DriverException;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.driver.VagothDriver;
import vagoth.api.virt.VmInfo;

/**
 * An example driver: hypervisors whose definition says {@code driver=example}
 * keep their VMs in this driver's memory. It shows all a driver plugin needs:
 * implement {@link Driver}, publish it as a component with
 * {@code @VagothDriver("name")}, and throw {@link DriverException} with a
 * message an operator can act on.
 */
@Component
@VagothDriver("example")
public final class MemoryDriver implements Driver {
    /** hypervisor id -> VM id -> state */
    private final Map<String, Map<String, String>> hosts = new ConcurrentHashMap<>();

    private Map<String, String> host(Node hv) {
        return hosts.computeIfAbsent(hv.id(), h -> new ConcurrentHashMap<>());
    }

    private String existing(Node hv, Node vm) {
        String state = host(hv).get(vm.id());
        if (state == null) {
            throw new DriverException(hv.id() + ": " + vm.id() + " is not defined here", vm.id());
        }
        return state;
    }

    @Override
    public void provision(Node hv, Node vm) {
        define(hv, vm);
    }

    @Override
    public void define(Node hv, Node vm) {
        host(hv).putIfAbsent(vm.id(), "stopped");
    }

    @Override
    public void undefine(Node hv, Node vm) {
        if (existing(hv, vm).equals("running")) {
            throw new DriverException(hv.id() + ": " + vm.id() + " is running; stop it first", vm.id());
        }
        host(hv).remove(vm.id());
    }

    @Override
    public void deprovision(Node hv, Node vm) {
        existing(hv, vm);
        host(hv).remove(vm.id());
    }

    @Override
    public void start(Node hv, Node vm) {
        existing(hv, vm);
        host(hv).put(vm.id(), "running");
    }

    @Override
    public void stop(Node hv, Node vm) {
        existing(hv, vm);
        host(hv).put(vm.id(), "stopped");
    }

    @Override
    public void shutdown(Node hv, Node vm) {
        stop(hv, vm);
    }

    @Override
    public void reboot(Node hv, Node vm) {
        existing(hv, vm);
    }

    @Override
    public VmInfo info(Node hv, Node vm) {
        String state = existing(hv, vm);
        return new VmInfo(vm.definition(), state, state);
    }

    @Override
    public HypervisorStatus status(Node hv) {
        Map<String, VmInfo> vms = new ConcurrentHashMap<>();
        host(hv).forEach((id, state) -> vms.put(id, new VmInfo(Map.of(), state, state)));
        return new HypervisorStatus(vms, Map.of("mem_total", "8192", "cpus", "4"));
    }

    @Override
    public void migrate(Node hv, Node vm, Node destination) {
        throw new DriverException(hv.id() + ": the example driver migrates nothing live", vm.id());
    }
}
