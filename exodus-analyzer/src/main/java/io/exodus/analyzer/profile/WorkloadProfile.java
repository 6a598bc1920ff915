package io.exodus.analyzer.profile;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * What the captured traffic shows: the JSON {@code workload} of {@code GET /analyzer/profile}. Times are the source's
 * latency (the primary's before cutover), in microseconds. Empty (zero events) until a proxy ships capture.
 *
 * @param droppedEvents  events the proxies' taps reported dropping: the share of traffic this profile did not see
 * @param sessions       distinct client sessions (per proxy)
 * @param readShare      reads / (reads + writes + DDL), 0 when there are none
 * @param topByTime      the statements that cost the most time in total
 * @param topByCalls     the statements run most often
 * @param bucketSeconds  the width of each point of {@code load}
 * @param peakSessions   the most sessions whose first-to-last statement spans overlapped at one instant
 * @param sessionBehaviour per behaviour (set, prepare, temp-table, listen, advisory-lock, copy, named-statements),
 *                       how many sessions showed it
 * @param functions      functions the statements call, with their volatility on the source when known
 */
public record WorkloadProfile(long events, long droppedEvents, long sessions, OffsetDateTime from, OffsetDateTime to,
        List<ClassMix> mix, long reads, long writes, double readShare, Map<String, Long> protocols,
        List<StatementStats> topByTime, List<StatementStats> topByCalls, long bucketSeconds, List<LoadPoint> load,
        int peakSessions, Transactions transactions, Map<String, Long> sessionBehaviour, List<FunctionUse> functions,
        Map<String, Long> errors) {

    public static final String NAMED_STATEMENTS = "named-statements";

    public boolean isEmpty() {
        return events == 0;
    }

    public WorkloadProfile withFunctions(List<FunctionUse> resolved) {
        return new WorkloadProfile(events, droppedEvents, sessions, from, to, mix, reads, writes, readShare, protocols,
                topByTime, topByCalls, bucketSeconds, load, peakSessions, transactions, sessionBehaviour, resolved,
                errors);
    }

    /** Sessions that showed a behaviour (a {@code SessionFeature} wire name, or {@link #NAMED_STATEMENTS}). */
    public long sessionsWith(String behaviour) {
        return sessionBehaviour.getOrDefault(behaviour, 0L);
    }

    public record ClassMix(String statementClass, long calls, long totalMicros) {
    }

    public record StatementStats(String fingerprint, String text, String statementClass, long calls, long totalMicros,
            double meanMicros, long rows, long errors, List<String> features, List<String> functions) {
    }

    /** @param writes statements of class write or ddl in the bucket */
    public record LoadPoint(OffsetDateTime at, long calls, long writes, long totalMicros, long sessions) {
    }

    /** Explicit transactions (statements sharing a transactionId); durations from first statement to last answer. */
    public record Transactions(long count, double meanMicros, double p95Micros, long maxMicros,
            double meanStatements) {
        public static final Transactions NONE = new Transactions(0, 0, 0, 0, 0);
    }

    /**
     * @param volatility {@code volatile}, {@code stable}, {@code immutable}, or {@code unknown} when the source has no
     *                   function of that name
     */
    public record FunctionUse(String name, long statements, long calls, String volatility) {
    }
}
