package io.exodus.analyzer.recommend;

import java.util.List;

/**
 * The JSON of {@code GET /analyzer/recommendations} (field names are a contract: docs/analyzer.md). The proxy applies
 * {@code pinnedStatements} itself and shows {@code policy} and {@code settings} for an operator to confirm.
 *
 * @param settings        for the target's postgresql.conf, PGTune's formulas adjusted by the measured workload
 * @param cutoverBlockers the checks to resolve before cutover, worst first
 */
public record Recommendations(TargetHardware hardware, InstanceSize instance, Choice<WorkloadType> workloadType,
        List<SettingRecommendation> settings, Choice<Strategy> strategy, Choice<Policy> policy,
        List<PinnedStatement> pinnedStatements, List<CutoverBlocker> cutoverBlockers) {
}
