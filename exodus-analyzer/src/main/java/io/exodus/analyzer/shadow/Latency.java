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
     * Whether this (the target's) is a regression against the source's: enough samples on both sides, a p95 above
     * {@code ratio} times the source's and at least {@code minDifferenceMicros} above it, so that neither a handful of
     * replays nor microseconds of jitter on a fast statement make a finding.
     */
    public boolean regressedAgainst(Latency source, double ratio, long minDifferenceMicros, int minSamples) {
        return samples >= minSamples && source.samples >= minSamples && p95Micros > ratio * source.p95Micros
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
