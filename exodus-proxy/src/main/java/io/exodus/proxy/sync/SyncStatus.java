package io.exodus.proxy.sync;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The {@code "sync"} object of {@code GET /exodus/migration}.
 *
 * @param rowsTotal          an estimate (the source's statistics), for a progress bar
 * @param rowsPerSecond      rows copied per second, over the copy so far (or the whole copy, once done)
 * @param changesApplied     changes streamed from the slot and applied to the target so far
 * @param switchPauseMillis  how long new transactions were held back at the switch; null before it
 * @param error              why the sync failed; null unless {@code state} is {@code failed}
 * @param notes              what the checks found that the sync works around (tables copied insert-only)
 * @param timings            milliseconds per step so far ({@link SyncStep}), in order: where the wall time went
 */
public record SyncStatus(SyncState state, long rowsCopied, long rowsTotal, long bytesCopied, double rowsPerSecond,
        long changesApplied, Long switchPauseMillis, String error, List<String> notes, Instant startedAt,
        Instant finishedAt, Map<String, Long> timings, List<Table> tables) {

    /**
     * One table's copy.
     *
     * @param state      {@code waiting}, {@code copying} or {@code copied}
     * @param copyMillis how long its COPY took (of a split table, from its first part's start to its last part's
     *                   end); null until copied, and for a table a crashed sync copied before
     * @param parts      how many parts its rows are copied in, by several copiers at once (ADR 0047); 1: whole
     */
    public record Table(String name, String state, long rowsCopied, long rowsEstimated, long bytesCopied,
            Long copyMillis, int parts) {
    }
}
