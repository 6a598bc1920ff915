package io.exodus.proxy.migration;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.List;

/**
 * What the analyzer last recommended ({@code GET /analyzer/recommendations}), as far as the proxy uses or shows it. The
 * proxy applies the pinned statements by itself (phase canary keeps them on the source); the policy, strategy,
 * settings and instance are shown in {@code GET /exodus/migration} for an operator to confirm and apply.
 *
 * @param fetchedAt when the proxy pulled them
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AnalyzerRecommendations(Instant fetchedAt, Choice policy, Choice strategy, Choice workloadType,
        List<Setting> settings, List<PinnedStatement> pinnedStatements, List<CutoverBlocker> cutoverBlockers) {

    public AnalyzerRecommendations {
        settings = settings == null ? List.of() : List.copyOf(settings);
        pinnedStatements = pinnedStatements == null ? List.of() : List.copyOf(pinnedStatements);
        cutoverBlockers = cutoverBlockers == null ? List.of() : List.copyOf(cutoverBlockers);
    }

    /** The same, stamped with the moment they were pulled. */
    public AnalyzerRecommendations fetched(Instant at) {
        return new AnalyzerRecommendations(at, policy, strategy, workloadType, settings, pinnedStatements,
                cutoverBlockers);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Choice(String value, List<String> reasons) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Setting(String name, String value, String current, String reason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PinnedStatement(String fingerprint, String text, String finding, String reason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CutoverBlocker(String key, String verdict, String action) {
    }
}
