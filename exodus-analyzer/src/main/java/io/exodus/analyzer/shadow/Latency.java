package io.exodus.analyzer.shadow;

import java.util.List;

/**
 * Replay latencies of one statement shape on one side, by nearest rank.
 *
 * @param samples how many replays were timed
 */
public record Latency(int samples, long p50Micros, long p95Micros, long p99Micros) {

    public static Latency of(List<Long> micros) {
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Latency(sorted.length, rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99));
    }

    private static long rank(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /**
     * Whether this (the target's) is a regression against the source's: enough samples on both sides, and a p50 and
     * a p95 each above {@code ratio} times the higher of the source's two runs' ({@code source}, {@code baseline}),
     * the p95 by at least {@code minDifferenceMicros}. The second source run puts the source's own jitter into the
     * bar, the p50 keeps one stall of a busy machine (the p95 of ten samples is their maximum) from making a finding,
     * and the difference keeps microseconds on a fast statement from making one.
     */
    public boolean regressedAgainst(Latency source, Latency baseline, double ratio, long minDifferenceMicros,
            int minSamples) {
        return samples >= minSamples && source.samples >= minSamples
                && p50Micros > ratio * Math.max(source.p50Micros, baseline.p50Micros)
                && p95Micros > ratio * Math.max(source.p95Micros, baseline.p95Micros)
                && p95Micros - source.p95Micros >= minDifferenceMicros;
    }

    @Override
    public String toString() {
        return "p50 " + human(p50Micros) + ", p95 " + human(p95Micros) + ", p99 " + human(p99Micros) + " (n=" + samples
                + ")";
    }

    static String human(long micros) {
        return micros < 10_000 ? micros + " µs" : String.format(java.util.Locale.ROOT, "%.1f ms", micros / 1000.0);
    }
}
