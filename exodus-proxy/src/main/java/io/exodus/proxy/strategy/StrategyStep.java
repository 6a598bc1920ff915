package io.exodus.proxy.strategy;

import java.util.Locale;

/**
 * One step of a strategy's plan: what it changes, then a soak during which the health gates are watched.
 *
 * @param canaryPercent the share of reads on the target, for a {@link Kind#CANARY} or {@link Kind#TENANT} step
 * @param tenant        whose reads a {@link Kind#TENANT} step moves; null for the others
 */
public record StrategyStep(Kind kind, double canaryPercent, String tenant) {
    public enum Kind {
        /** Phase canary with this share of the reads on the target. */
        CANARY,
        /** The target becomes the primary (the source keeps receiving every write). */
        CUTOVER,
        /** Reads also run on the target, their answers compared with the source's (docs/strategies.md). */
        SHADOW,
        /** Phase canary with this share of one tenant's reads on the target, the other tenants' where they were. */
        TENANT
    }

    public static StrategyStep canary(double percent) {
        return new StrategyStep(Kind.CANARY, percent, null);
    }

    public static StrategyStep cutover() {
        return new StrategyStep(Kind.CUTOVER, 0, null);
    }

    public static StrategyStep shadow() {
        return new StrategyStep(Kind.SHADOW, 0, null);
    }

    public static StrategyStep tenant(String tenant, double percent) {
        return new StrategyStep(Kind.TENANT, percent, tenant);
    }

    /** As the status and the log name it. */
    public String describe() {
        return switch (kind) {
            case CUTOVER -> "cutover";
            case SHADOW -> "shadow reads";
            case CANARY -> String.format(Locale.ROOT, "canary %.0f %%", canaryPercent);
            case TENANT -> String.format(Locale.ROOT, "tenant %s %.0f %%", tenant, canaryPercent);
        };
    }
}
