package io.exodus.analyzer.shadow;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The answer of {@code GET /analyzer/shadow}: the latest replay (field names are a contract: docs/shadow-testing.md).
 *
 * @param overall   statement shapes per verdict
 * @param message   why it failed, or what it is doing
 * @param loadGuard what the load guard did; null when it is off or the replay has not started
 */
public record ShadowReport(ReplayState state, ReplayRequest request, OffsetDateTime startedAt,
        OffsetDateTime finishedAt, String message, Map<String, Long> overall, List<StatementReport> statements,
        List<Finding> findings, LoadGuard.Summary loadGuard) {

    public static ShadowReport idle() {
        return new ShadowReport(ReplayState.IDLE, null, null, null, "No replay yet: POST /analyzer/shadow starts one",
                Map.of(), List.of(), List.of(), null);
    }

    static ShadowReport running(ReplayRequest request, OffsetDateTime startedAt) {
        return new ShadowReport(ReplayState.RUNNING, request, startedAt, null, "Replaying captured statements",
                Map.of(), List.of(), List.of(), null);
    }

    /** The running report with what the load guard is doing now. */
    ShadowReport guarded(LoadGuard.Summary guard, int ceiling) {
        String doing = guard.baselineMicros().containsValue(-1L)
                ? "the load guard is timing the databases before the replay starts"
                : guard.limit() == 0
                ? "paused by the load guard: " + guard.lastMicros() + " µs probes against " + guard.baselineMicros()
                        + " µs before the replay"
                : guard.limit() + " of " + ceiling + " executions at once (load guard)";
        return new ShadowReport(state, request, startedAt, finishedAt, "Replaying captured statements; " + doing,
                overall, statements, findings, guard);
    }

    /** The report with the proxies' live shadow findings after the replay's own. */
    ShadowReport withLive(List<Finding> live) {
        if (live.isEmpty()) {
            return this;
        }
        List<Finding> all = new ArrayList<>(findings);
        all.addAll(live);
        return new ShadowReport(state, request, startedAt, finishedAt, message, overall, statements, all, loadGuard);
    }

    static ShadowReport done(ReplayRequest request, OffsetDateTime startedAt, OffsetDateTime finishedAt,
            List<StatementReport> statements, List<Finding> findings, LoadGuard.Summary guard) {
        Map<String, Long> overall = new LinkedHashMap<>();
        for (StatementVerdict verdict : StatementVerdict.values()) {
            long count = statements.stream().filter(statement -> statement.verdict() == verdict).count();
            if (count > 0) {
                overall.put(verdict.wireName(), count);
            }
        }
        long replays = statements.stream().mapToLong(statement -> statement.replayed() + statement.noisy()).sum();
        double seconds = Math.max(0.001, Duration.between(startedAt, finishedAt).toNanos() / 1e9);
        String message = String.format(Locale.ROOT,
                "%d statement shapes, %d findings; %d executions replayed (three runs each) in %.1f s, %.0f a second",
                statements.size(), findings.size(), replays, seconds, replays / seconds);
        if (guard != null && guard.backoffs() > 0) {
            message += String.format(Locale.ROOT, "; the load guard backed off %d times, down to %d at once, paused "
                    + "%.1f s", guard.backoffs(), guard.lowestLimit(), guard.pausedMillis() / 1000.0);
        }
        return new ShadowReport(ReplayState.DONE, request, startedAt, finishedAt, message, overall, statements,
                findings, guard);
    }

    static ShadowReport failed(ReplayRequest request, OffsetDateTime startedAt, OffsetDateTime finishedAt,
            String message) {
        return new ShadowReport(ReplayState.FAILED, request, startedAt, finishedAt, message, Map.of(), List.of(),
                List.of(), null);
    }
}
