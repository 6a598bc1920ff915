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

    /** Fewer samples make a p95 that is merely their slowest one or two. */
    static final int SAMPLES_FOR_A_TAIL = 20;

    /**
     * Whether this (the target's) is a regression against the source's, measured twice ({@code source}, then
     * {@code baseline}, the source's second run). The bar is always the higher of the source's two runs, so that the
     * source's own jitter is in it, and a regression must exceed it {@code ratio} times and by
     * {@code minDifferenceMicros}, so that microseconds on a fast statement make none:
     * <ul>
     * <li>the median, once each side has {@code minSamples}: one stall of a busy machine does not move it;</li>
     * <li>the p95, only from {@value #SAMPLES_FOR_A_TAIL} samples on, and only when the source's two runs agree on
     * theirs within the ratio: otherwise the source's tail is noise, and so would a finding about the target's be.</li>
     * </ul>
     */
    public boolean regressedAgainst(Latency source, Latency baseline, double ratio, long minDifferenceMicros,
            int minSamples) {
        if (samples < minSamples || source.samples < minSamples) {
            return false;
        }
        long medianBar = Math.max(source.p50Micros, baseline.p50Micros);
        boolean median = p50Micros > ratio * medianBar && p50Micros - medianBar >= minDifferenceMicros;
        long tailBar = Math.max(source.p95Micros, baseline.p95Micros);
        boolean tailIsSignal = samples >= SAMPLES_FOR_A_TAIL && source.samples >= SAMPLES_FOR_A_TAIL
                && tailBar <= ratio * Math.min(source.p95Micros, baseline.p95Micros);
        boolean tail = tailIsSignal && p95Micros > ratio * tailBar && p95Micros - tailBar >= minDifferenceMicros;
        return median || tail;
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
