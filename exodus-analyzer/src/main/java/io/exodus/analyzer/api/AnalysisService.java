package io.exodus.analyzer.api;

import io.exodus.analyzer.checks.CheckResult;
import io.exodus.analyzer.checks.Checks;
import io.exodus.analyzer.config.AnalyzerConfig;
import io.exodus.analyzer.profile.ProfileService;
import io.exodus.analyzer.recommend.PinnedStatement;
import io.exodus.analyzer.recommend.Recommendations;
import io.exodus.analyzer.recommend.Recommender;
import io.exodus.analyzer.shadow.FindingOrigin;
import io.exodus.analyzer.shadow.ShadowReport;
import io.exodus.analyzer.shadow.ShadowService;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.CompletionStage;

/**
 * Profile, then checks, then recommendations: the two last are pure functions of the first, plus the latest shadow
 * replay, whose differing statements join the pinned ones.
 */
@ApplicationScoped
public class AnalysisService {
    private final ProfileService profiles;
    private final AnalyzerConfig config;
    private final ShadowService shadow;

    AnalysisService(ProfileService profiles, AnalyzerConfig config, ShadowService shadow) {
        this.profiles = profiles;
        this.config = config;
        this.shadow = shadow;
    }

    public CompletionStage<Analysis> analyse() {
        return profiles.profile().map(profile -> {
            List<CheckResult> checks = Checks.evaluate(profile);
            ShadowReport replay = shadow.report();
            return new Analysis(profile, checks, withShadowPins(Recommender.recommend(profile, checks,
                    config.targetMemory().map(MemorySize::asLongValue), config.targetCpus(), config.targetStorage()),
                    replay), replay);
        }).toCompletionStage();
    }

    /**
     * A statement the target answers otherwise (other rows, another order, an error) stays on the source, as a
     * nondeterministic one does; a merely slower one does not, since its answers are right.
     */
    private static Recommendations withShadowPins(Recommendations recommendations, ShadowReport replay) {
        Set<String> pinned = recommendations.pinnedStatements().stream().map(PinnedStatement::fingerprint)
                .collect(Collectors.toSet());
        List<PinnedStatement> pins = new ArrayList<>(recommendations.pinnedStatements());
        replay.findings().stream().filter(finding -> finding.kind().pinsToSource())
                .filter(finding -> pinned.add(finding.fingerprint()))
                .forEach(finding -> pins.add(new PinnedStatement(finding.fingerprint(), finding.query(),
                        "shadow-" + finding.kind().wireName(), (finding.origin() == FindingOrigin.LIVE
                                ? "Live shadow reads: " : "Shadow replay: ") + finding.evidence())));
        return new Recommendations(recommendations.hardware(), recommendations.instance(),
                recommendations.workloadType(), recommendations.settings(), recommendations.strategy(),
                recommendations.policy(), pins, recommendations.cutoverBlockers());
    }
}
