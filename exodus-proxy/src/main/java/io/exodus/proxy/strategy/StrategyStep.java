package io.exodus.proxy.strategy;

import java.util.Locale;

/**
 * One step of a strategy's plan: what it changes, then a soak during which the health gates are watched.
 *
 * @param canaryPercent the share of reads on the target, for a {@link Kind#CANARY} step
 */
public record StrategyStep(Kind kind, double canaryPercent) {
    public enum Kind {
        /** Phase canary with this share of the reads on the target. */
        CANARY,
        /** The target becomes the primary (the source keeps receiving every write). */
        CUTOVER,
        /** Reads also run on the target, their answers compared with the source's (docs/strategies.md). */
        SHADOW
    }

    public static StrategyStep canary(double percent) {
        return new StrategyStep(Kind.CANARY, percent);
    }

    public static StrategyStep cutover() {
        return new StrategyStep(Kind.CUTOVER, 0);
    }

    public static StrategyStep shadow() {
        return new StrategyStep(Kind.SHADOW, 0);
    }

    /** As the status and the log name it. */
    public String describe() {
        return switch (kind) {
            case CUTOVER -> "cutover";
            case SHADOW -> "shadow reads";
            case CANARY -> String.format(Locale.ROOT, "canary %.0f %%", canaryPercent);
        };
    }
}
