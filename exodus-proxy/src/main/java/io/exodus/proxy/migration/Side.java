package io.exodus.proxy.migration;

/**
 * One of the migration's two databases. Which of them is the primary (its answers reach the client, it decides) is a
 * value of the phase: the source until the cutover, the target from then on.
 */
public enum Side {
    SOURCE("source"),
    TARGET("target");

    private final String configName;

    Side(String configName) {
        this.configName = configName;
    }

    /** As the admin API and the logs name it. */
    public String configName() {
        return configName;
    }

    public Side other() {
        return this == SOURCE ? TARGET : SOURCE;
    }
}
