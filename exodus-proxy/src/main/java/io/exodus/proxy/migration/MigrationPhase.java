package io.exodus.proxy.migration;

/** Where the migration stands, which decides how a session routes its statements. */
public enum MigrationPhase {
    /** Everything goes to the source; the target is not touched. */
    DIRECT("direct"),
    /** Every write runs on the source and on the target; reads stay on the source. */
    DUAL_WRITE("dual-write"),
    /**
     * Dual-write, and a share of the reads outside transactions ({@code exodus.migration.canary-percent}) goes to the
     * target: the target proves itself on real reads while the source stays the primary.
     */
    CANARY("canary");

    private final String configName;

    MigrationPhase(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** Whether writes go to both databases (and a target is needed). */
    public boolean writesBothDatabases() {
        return this != DIRECT;
    }

    public static MigrationPhase fromConfig(String value) {
        for (MigrationPhase phase : values()) {
            if (phase.configName.equalsIgnoreCase(value.trim())) {
                return phase;
            }
        }
        throw new IllegalArgumentException("unknown exodus.migration.phase \"" + value
                + "\"; choose direct, dual-write or canary");
    }
}
