package io.exodus.analyzer.shadow;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The answer of {@code GET /analyzer/shadow}: the latest replay (field names are a contract: docs/shadow-testing.md).
 *
 * @param overall  statement shapes per verdict
 * @param message  why it failed, or what it is doing
 */
public record ShadowReport(ReplayState state, ReplayRequest request, OffsetDateTime startedAt,
        OffsetDateTime finishedAt, String message, Map<String, Long> overall, List<StatementReport> statements,
        List<Finding> findings) {

    public static ShadowReport idle() {
        return new ShadowReport(ReplayState.IDLE, null, null, null, "No replay yet: POST /analyzer/shadow starts one",
                Map.of(), List.of(), List.of());
    }

    static ShadowReport running(ReplayRequest request, OffsetDateTime startedAt) {
        return new ShadowReport(ReplayState.RUNNING, request, startedAt, null, "Replaying captured statements",
                Map.of(), List.of(), List.of());
    }

    static ShadowReport done(ReplayRequest request, OffsetDateTime startedAt, OffsetDateTime finishedAt,
            List<StatementReport> statements, List<Finding> findings) {
        Map<String, Long> overall = new LinkedHashMap<>();
        for (StatementVerdict verdict : StatementVerdict.values()) {
            long count = statements.stream().filter(statement -> statement.verdict() == verdict).count();
            if (count > 0) {
                overall.put(verdict.wireName(), count);
            }
        }
        long replays = statements.stream().mapToLong(statement -> statement.replayed() + statement.noisy()).sum();
        double seconds = Math.max(0.001, Duration.between(startedAt, finishedAt).toNanos() / 1e9);
        return new ShadowReport(ReplayState.DONE, request, startedAt, finishedAt, String.format(Locale.ROOT,
                "%d statement shapes, %d findings; %d executions replayed (three runs each) in %.1f s, %.0f a second",
                statements.size(), findings.size(), replays, seconds, replays / seconds), overall, statements,
                findings);
    }

    static ShadowReport failed(ReplayRequest request, OffsetDateTime startedAt, OffsetDateTime finishedAt,
            String message) {
        return new ShadowReport(ReplayState.FAILED, request, startedAt, finishedAt, message, Map.of(), List.of(),
                List.of());
    }
}
