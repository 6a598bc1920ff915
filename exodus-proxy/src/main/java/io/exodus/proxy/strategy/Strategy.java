package io.exodus.proxy.strategy;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the migration walks from dual-write to the target as primary: each a plan over the phases. */
public enum Strategy {
    /** Dual-write, then the cutover in one step, its health watched for one soak. */
    BIG_BANG("big-bang"),
    /** A growing share of the reads on the target, step by step after health gates, then the cutover. */
    CANARY("canary"),
    /** Dual-write while the target's answers to live reads are compared (shadow), then one switch. */
    BLUE_GREEN("blue-green"),
    /**
     * Tenant after tenant (as {@code exodus.migration.tenant-key} names them), each through the canary's shares of its
     * own reads, rolled back alone when a gate fails; then the cutover. Writes keep one order throughout (ADR 0042).
     */
    USER_BY_USER("user-by-user"),
    /**
     * Reads also run on the target, their results compared; the client sees the primary's answer only. One soak, no
     * change of phase: it tells whether the target answers as the source does.
     */
    SHADOW("shadow");

    private final String configName;

    Strategy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Strategy fromConfig(String name) {
        for (Strategy strategy : values()) {
            if (strategy.configName.equals(name)) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("unknown strategy \"" + name + "\": choose one of " + Arrays.stream(values())
                .map(Strategy::configName).collect(Collectors.joining(", ")));
    }
}
