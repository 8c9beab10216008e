package vagoth.api.virt;

import vagoth.api.allocator.Placement;

/**
 * What migrating a VM would do, as {@code migrate --dry-run} and the API's
 * plan show it; nothing was changed to find out.
 *
 * @param placement     where it would go (the hypervisor asked for only, or the allocator's choice away from its
 *                      host) and, for each other hypervisor, why not there
 * @param from          the hypervisor it is on now (id)
 * @param sharedStorage the storage {@code from} and the chosen hypervisor both name ({@link Hypervisor#SHARED_STORAGE}):
 *                      only its definition (or, live, its memory) moves; null when they share none (its disk is
 *                      copied too) or it fits nowhere
 * @param live          whether it could move while it runs: it can now ({@link VirtualMachine#canMigrateLive()}),
 *                      and both hosts report the same accelerator ({@code accel})
 */
public record MigrationPlan(Placement placement, String from, String sharedStorage, boolean live) {
}
