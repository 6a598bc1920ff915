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

    @Override
    public String toString() {
        return "p50 " + human(p50Micros) + ", p95 " + human(p95Micros) + ", p99 " + human(p99Micros) + " (n=" + samples
                + ")";
    }

    static String human(long micros) {
        return micros < 10_000 ? micros + " µs" : String.format(java.util.Locale.ROOT, "%.1f ms", micros / 1000.0);
    }
}
