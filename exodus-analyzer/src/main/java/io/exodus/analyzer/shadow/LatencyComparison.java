package io.exodus.analyzer.shadow;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether the target is slower than the source, judged execution by execution: each target run is set against the
 * slower of the two source runs that came right before and right after it. A machine's load moves all three alike,
 * so a stall or a busy minute does not make the target slower; only a target that is slower in most executions does.
 * Percentiles over the whole replay were tried first: on a shared machine ten replays' p95 is their slowest one, and
 * even their medians moved by 2× between runs of identical databases.
 *
 * @param ratio              the target run must be above this multiple of the slower source run
 * @param share              … in at least this share of the executions
 * @param minSamples         executions needed to judge at all
 * @param minDifferenceMicros and the medians must differ by at least this much, so that microseconds on a fast
 *                           statement make no finding
 */
public record LatencyComparison(double ratio, double share, int minSamples, long minDifferenceMicros) {

    /** Each execution's three times, µs: the source's, the target's, the source's again. */
    public record Timing(long source, long target, long baseline) {
    }

    /** The evidence of a regression, or empty. */
    public Optional<String> regression(List<Timing> timings) {
        if (timings.size() < minSamples) {
            return Optional.empty();
        }
        long slower = timings.stream().filter(t -> t.target() > ratio * Math.max(t.source(), t.baseline())).count();
        Latency source = Latency.of(timings.stream().map(Timing::source).toList());
        Latency target = Latency.of(timings.stream().map(Timing::target).toList());
        if (slower < share * timings.size() || target.p50Micros() - source.p50Micros() < minDifferenceMicros) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "the target was over %.1f× slower than both source runs around "
                + "it in %d of %d executions; median %.1f× the source's, p95 %.1f×", ratio, slower, timings.size(),
                (double) target.p50Micros() / Math.max(1, source.p50Micros()),
                (double) target.p95Micros() / Math.max(1, source.p95Micros())));
    }
}
