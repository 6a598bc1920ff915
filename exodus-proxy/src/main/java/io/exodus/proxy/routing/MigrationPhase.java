package io.exodus.proxy.routing;

/** Where the migration stands, which decides how a session routes its statements. */
public enum MigrationPhase {
    /** Everything goes to the source; the target is not touched. */
    DIRECT("direct"),
    /** Every write runs on the source and on the target; reads stay on the source. */
    DUAL_WRITE("dual-write");

    private final String configName;

    MigrationPhase(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static MigrationPhase fromConfig(String value) {
        for (MigrationPhase phase : values()) {
            if (phase.configName.equalsIgnoreCase(value.trim())) {
                return phase;
            }
        }
        throw new IllegalArgumentException("unknown exodus.migration.phase \"" + value
                + "\"; choose direct or dual-write");
    }
}
