package io.exodus.proxy.strategy;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the migration walks from dual-write to the target as primary: each a plan over the phases. */
public enum Strategy {
    /** Dual-write, then the cutover in one step, its health watched for one soak. */
    BIG_BANG("big-bang", true),
    /** A growing share of the reads on the target, step by step after health gates, then the cutover. */
    CANARY("canary", true),
    /** Dual-write while the target's answers to live reads are compared (shadow), then one switch. */
    BLUE_GREEN("blue-green", true),
    /** Per tenant canary, cutover and rollback (needs a tenant key). */
    USER_BY_USER("user-by-user", false),
    /**
     * Reads also run on the target, their results compared; the client sees the primary's answer only. One soak, no
     * change of phase: it tells whether the target answers as the source does.
     */
    SHADOW("shadow", true);

    private final String configName;
    private final boolean available;

    Strategy(String configName, boolean available) {
        this.configName = configName;
        this.available = available;
    }

    public String configName() {
        return configName;
    }

    /** Whether this build can run it; the others are refused with a clear answer (docs/GAPS.md). */
    public boolean available() {
        return available;
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
