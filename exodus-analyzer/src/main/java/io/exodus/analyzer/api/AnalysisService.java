package io.exodus.analyzer.api;

import io.exodus.analyzer.checks.CheckResult;
import io.exodus.analyzer.checks.Checks;
import io.exodus.analyzer.config.AnalyzerConfig;
import io.exodus.analyzer.profile.ProfileService;
import io.exodus.analyzer.recommend.Recommender;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Profile, then checks, then recommendations: the two last are pure functions of the first. */
@ApplicationScoped
public class AnalysisService {
    private final ProfileService profiles;
    private final AnalyzerConfig config;

    AnalysisService(ProfileService profiles, AnalyzerConfig config) {
        this.profiles = profiles;
        this.config = config;
    }

    public CompletionStage<Analysis> analyse() {
        return profiles.profile().map(profile -> {
            List<CheckResult> checks = Checks.evaluate(profile);
            return new Analysis(profile, checks, Recommender.recommend(profile, checks,
                    config.targetMemory().map(MemorySize::asLongValue), config.targetCpus(), config.targetStorage()));
        }).toCompletionStage();
    }
}
