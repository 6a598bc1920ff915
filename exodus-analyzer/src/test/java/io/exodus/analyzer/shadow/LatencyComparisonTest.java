package io.exodus.analyzer.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.exodus.analyzer.shadow.LatencyComparison.Timing;

/** When the target's replay times are a regression, and when they are a busy machine's noise. */
class LatencyComparisonTest {
    private static final LatencyComparison DEFAULTS = new LatencyComparison(1.5, 0.7, 5, 1000);

    @Test
    void percentilesByNearestRank() {
        assertEquals(new Latency(5, 3, 5, 5), Latency.of(List.of(5L, 1L, 4L, 2L, 3L)));
    }

    @Test
    void aTargetSlowerInEveryExecutionIsARegression() {
        Optional<String> regression = DEFAULTS.regression(repeat(new Timing(1000, 9000, 1100), 10));
        assertTrue(regression.isPresent());
        assertTrue(regression.get().startsWith("the target was over 1.5× slower than both source runs around it in "
                + "10 of 10 executions"), regression.get());
    }

    @Test
    void aBusySpellThatSlowsEveryRunAlikeIsNot() {
        // The machine's load rises tenfold halfway: the target's runs are slow exactly when the source's are.
        List<Timing> timings = new ArrayList<>(repeat(new Timing(1000, 1100, 1000), 5));
        timings.addAll(repeat(new Timing(10_000, 12_000, 11_000), 5));
        assertEquals(Optional.empty(), DEFAULTS.regression(timings));
    }

    @Test
    void stallsInAFewExecutionsAreNot() {
        List<Timing> timings = new ArrayList<>(repeat(new Timing(1000, 1000, 1000), 7));
        timings.addAll(repeat(new Timing(1000, 90_000, 1000), 3));
        assertEquals(Optional.empty(), DEFAULTS.regression(timings));
    }

    @Test
    void microsecondsOnAFastStatementOrTooFewExecutionsAreNot() {
        assertEquals(Optional.empty(), DEFAULTS.regression(repeat(new Timing(10, 40, 10), 10)));
        assertEquals(Optional.empty(), DEFAULTS.regression(repeat(new Timing(1000, 90_000, 1000), 4)));
    }

    private static List<Timing> repeat(Timing timing, int times) {
        return new ArrayList<>(java.util.Collections.nCopies(times, timing));
    }
}
