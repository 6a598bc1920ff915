package io.exodus.analyzer.shadow;

import io.exodus.capture.ShadowMismatchEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live shadow reads the proxies found answered otherwise on the target (their shadow strategy's), as capture
 * brings them, told as shadow findings of origin {@code live}: one per statement shape and kind, with how often and
 * when. Kept in memory, like the latest replay's report; at most {@link #MAX_SHAPES} shapes and kinds, the mismatches
 * of others counted in the evidence of none but {@link #untracked()}.
 */
@ApplicationScoped
public class LiveMismatches {
    static final int MAX_SHAPES = 500;

    private final Map<String, Tally> tallies = new LinkedHashMap<>();
    private long untracked;

    /** One shape and kind: how many mismatches, the earliest and the latest, and which proxies saw it. */
    private static final class Tally {
        ShadowMismatchEvent first;
        ShadowMismatchEvent last;
        long count;
        final List<String> proxies = new ArrayList<>(1);

        Tally(ShadowMismatchEvent first) {
            this.first = first;
            this.last = first;
        }
    }

    /** @param proxyId the proxy replica that shipped them, empty when it did not say */
    public synchronized void record(String proxyId, List<ShadowMismatchEvent> mismatches) {
        if (mismatches == null) {
            return;
        }
        for (ShadowMismatchEvent mismatch : mismatches) {
            String key = mismatch.fingerprint() + "/" + mismatch.kind();
            Tally tally = tallies.get(key);
            if (tally == null) {
                if (tallies.size() >= MAX_SHAPES) {
                    untracked++;
                    continue;
                }
                tally = new Tally(mismatch);
                tallies.put(key, tally);
            }
            tally.count++;
            if (!mismatch.at().isBefore(tally.last.at())) {
                tally.last = mismatch;
            }
            if (mismatch.at().isBefore(tally.first.at())) {
                // Batches of several proxies arrive in any order.
                tally.first = mismatch;
            }
            if (proxyId != null && !proxyId.isEmpty() && !tally.proxies.contains(proxyId)) {
                tally.proxies.add(proxyId);
            }
        }
    }

    /** Mismatches of shapes beyond {@link #MAX_SHAPES}, not told. */
    public synchronized long untracked() {
        return untracked;
    }

    /** One finding per shape and kind, the most frequent first. */
    public synchronized List<Finding> findings() {
        return tallies.values().stream().sorted(Comparator.comparingLong((Tally t) -> t.count).reversed())
                .map(LiveMismatches::finding).toList();
    }

    private static Finding finding(Tally tally) {
        ShadowMismatchEvent last = tally.last;
        FindingKind kind = last.kind().equals("error") ? FindingKind.ERROR : FindingKind.RESULT;
        String when = tally.count == 1 ? " at " + seconds(last.at())
                : " between " + seconds(tally.first.at()) + " and " + seconds(last.at());
        String evidence = tally.count + (tally.count == 1 ? " live shadow read" : " live shadow reads") + " ("
                + describe(last.kind()) + ")" + when
                + (tally.proxies.isEmpty() ? "" : ", by proxy " + String.join(", ", tally.proxies));
        return new Finding(kind, last.fingerprint(), last.text(), side(last.sourceRows(), last.sourceSqlstate()),
                side(last.targetRows(), last.targetSqlstate()), evidence, FindingOrigin.LIVE);
    }

    private static String describe(String kind) {
        return switch (kind) {
            case "row-count" -> "another row count";
            case "rows" -> "as many rows, not the same ones";
            case "order" -> "the same rows in another order";
            default -> "an error on one side, or other errors";
        };
    }

    private static String side(Long rows, String sqlstate) {
        return sqlstate != null ? "ERROR " + sqlstate : (rows == null ? "?" : rows) + " rows";
    }

    private static Instant seconds(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS);
    }
}
