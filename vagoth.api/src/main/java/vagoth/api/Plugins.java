package vagoth.api;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What is installed for each concept and which implementation is active:
 * what {@code vagoth plugins} shows. "Active" is what the consumer is bound
 * to now (the manager's registry, scheduler, provisioner and job store; the
 * allocator of {@code define}; the monitor of {@code poll}); drivers, actions
 * and node types are used several at once: a driver is in use when a
 * hypervisor names it, a node type when a node has it, an action always.
 */
@ProviderType
public interface Plugins {

    /** How an implementation stands. */
    enum State {
        /** The one selected and bound. */
        ACTIVE,
        /** Installed, not selected. */
        PRESENT,
        /** One of several used at once: a driver a hypervisor names, a node type a node has, any action. */
        IN_USE,
        /** None is installed for the concept. */
        MISSING;

        /** How {@code vagoth plugins} prints it: {@code in use}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * One implementation of a concept (or the lack of one).
     *
     * @param concept   {@code registry}, {@code scheduler}, ... {@code action}
     * @param name      the value of the concept's selecting property, or {@code -} when missing
     * @param state     how it stands
     * @param bundle    the bundle providing it, with its version, or {@code -}
     * @param serviceId its service id, or -1
     */
    record Plugin(String concept, String name, State state, String bundle, long serviceId) {
    }

    /** Every concept's implementations, concept by concept, each by service id. */
    List<Plugin> plugins();
}
