package io.exodus.proxy.control;

/**
 * The state of a fleet as the control database holds it.
 *
 * @param version       grows by one with every change: a replica applies a state only if it is newer than what it
 *                      applied
 * @param routeChanges  how many phase changes moved the primary or started mirroring writes (those a transaction must
 *                      not straddle, {@code MigrationPhase.routeCovers}): a replica that finds it grown by a change it
 *                      did not hold a pause for refuses the transactions it has open
 * @param tenantReads   the tenants' own shares of reads on the target, as JSON ({@code TenantReads})
 * @param shadow        whether every replica shadows reads on the secondary
 * @param databases     the databases the migration moves, as {@code MigrationDatabases} stores them
 */
public record ControlState(String phase, String policy, double canaryPercent, long version, String changedAt,
        String changedBy, long routeChanges, String tenantReads, boolean shadow, String databases) {
}
