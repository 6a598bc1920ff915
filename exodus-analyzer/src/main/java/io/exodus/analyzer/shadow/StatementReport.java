package io.exodus.analyzer.shadow;

import java.util.List;

/**
 * How one statement shape fared in the replay.
 *
 * @param query         the normalised text
 * @param calls         captured executions in the replay's window
 * @param replayed      executions compared (neither noise nor a failed replay)
 * @param noisy         executions whose two source runs disagreed on their row count or error
 * @param reason        why the verdict, in a sentence
 * @param maskedColumns volatile columns, which differed between the two source runs and were not compared
 * @param source        the source's latency over the replays that answered rows on every run, null when none did
 * @param target        the target's, likewise
 * @param baseline      the source's second run's, likewise: how far the source varies from itself
 */
public record StatementReport(String fingerprint, String query, String statementClass, long calls, int replayed,
        int noisy, StatementVerdict verdict, String reason, List<String> maskedColumns, Latency source,
        Latency target, Latency baseline) {
}
