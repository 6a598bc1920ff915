package io.exodus.proxy.shadow;

import java.util.List;
import java.util.Map;

/**
 * Shadow reads as {@code GET /exodus/migration} shows them, counted since this proxy started.
 *
 * @param active     whether reads are shadowed now (a shadow or blue-green strategy's shadow step runs)
 * @param share      the share of eligible reads shadowed, in percent ({@code exodus.migration.shadow.share})
 * @param compared   reads whose two answers were compared
 * @param mismatches compared reads whose answers differed
 * @param byKind     the mismatches by kind: {@code row-count}, {@code rows}, {@code order}, {@code error}
 * @param skipped    reads not shadowed because their answer depends on the clock or randomness ({@code now()},
 *                   {@code random()} …): their two answers would differ without either database being wrong
 * @param recent     the last mismatches, newest first ({@code exodus.migration.shadow.recent} of them)
 */
public record ShadowStatus(boolean active, double share, long compared, long mismatches, Map<String, Long> byKind,
        long skipped, List<ShadowMismatch> recent) {
}
