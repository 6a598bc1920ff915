package io.exodus.proxy.migration;

/**
 * Where the migration stands, which decides how a session routes its statements: which database is the primary
 * (its answers reach the client) and whether the other one receives every write too.
 */
public enum MigrationPhase {
    /** Everything goes to the source; the target is not touched. */
    DIRECT("direct", Side.SOURCE, false),
    /** Every write runs on the source and on the target; reads stay on the source. */
    DUAL_WRITE("dual-write", Side.SOURCE, true),
    /**
     * Dual-write, and a share of the reads outside transactions ({@code exodus.migration.canary-percent}) goes to the
     * target: the target proves itself on real reads while the source stays the primary.
     */
    CANARY("canary", Side.SOURCE, true),
    /**
     * The target is the primary: its answers reach the client and it runs every statement first; the source still
     * receives every write, so that a rollback to it loses nothing.
     */
    CUTOVER("cutover", Side.TARGET, true),
    /** The source is no longer written: Exodus relays to the target alone, and can be removed. */
    SOURCE_RETIRED("source-retired", Side.TARGET, false);

    private final String configName;
    private final Side primary;
    private final boolean mirrored;

    MigrationPhase(String configName, Side primary, boolean mirrored) {
        this.configName = configName;
        this.primary = primary;
        this.mirrored = mirrored;
    }

    /** The database whose answers reach the client. */
    public Side primary() {
        return primary;
    }

    /** Whether the phase needs a target: every phase but direct. */
    public boolean usesTarget() {
        return this != DIRECT;
    }

    public String configName() {
        return configName;
    }

    /** Whether writes go to both databases. */
    public boolean writesBothDatabases() {
        return mirrored;
    }

    /**
     * Whether no later phase routes this phase's writes differently: source-retired alone, which the migration never
     * leaves. From every other phase a change moves writes onto the target or off it (direct, and back to it), or moves
     * the primary (a cutover, a rollback), so a replica that cannot tell whether the phase changed must not write.
     */
    public boolean writeRoutingFinal() {
        return this == SOURCE_RETIRED;
    }

    /**
     * Whether a transaction routed by this phase stays right when the fleet moves to {@code next} while it is open: the
     * same primary, and no database that {@code next} writes left out. Going on to write one more database than
     * needed (from dual-write to direct, from cutover to source-retired) loses nothing; starting to mirror (from
     * direct to dual-write) or moving the primary (a cutover, a rollback) does: the fleet makes those under a pause that
     * waits for every live replica's transactions, and a transaction of a replica that was not counted live then must
     * not go on (docs/adr/0032, "Transactions the fleet left behind").
     */
    public boolean routeCovers(MigrationPhase next) {
        return primary == next.primary && (mirrored || !next.mirrored);
    }

    public static MigrationPhase fromConfig(String value) {
        for (MigrationPhase phase : values()) {
            if (phase.configName.equalsIgnoreCase(value.trim())) {
                return phase;
            }
        }
        throw new IllegalArgumentException("unknown exodus.migration.phase \"" + value
                + "\"; choose direct, dual-write, canary, cutover or source-retired");
    }
}
