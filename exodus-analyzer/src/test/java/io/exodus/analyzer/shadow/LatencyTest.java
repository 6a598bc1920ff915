package io.exodus.analyzer.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** When the target's replay times are a regression, and when they are a busy machine's noise. */
class LatencyTest {
    private static final Latency SOURCE = Latency.of(List.of(900L, 1000L, 1000L, 1100L, 1000L, 950L, 1050L, 1000L,
            1000L, 1000L));

    /** Twenty samples: eighteen of {@code usual} µs, then two of {@code tail}. */
    private static Latency twenty(long usual, long tail) {
        List<Long> micros = new java.util.ArrayList<>(java.util.Collections.nCopies(18, usual));
        micros.add(tail);
        micros.add(tail);
        return Latency.of(micros);
    }

    @Test
    void percentilesByNearestRank() {
        Latency latency = Latency.of(List.of(5L, 1L, 4L, 2L, 3L));
        assertEquals(new Latency(5, 3, 5, 5), latency);
    }

    @Test
    void aConsistentlySlowerTargetIsARegression() {
        Latency target = Latency.of(List.of(9000L, 9500L, 10000L, 9000L, 9800L, 9100L, 9900L, 9000L, 9400L, 9700L));
        assertTrue(target.regressedAgainst(SOURCE, SOURCE, 1.5, 1000, 5));
    }

    @Test
    void oneStallOfABusyMachineIsNot() {
        Latency target = Latency.of(List.of(1000L, 1000L, 1100L, 900L, 1000L, 1000L, 950L, 1000L, 1000L, 90_000L));
        assertFalse(target.regressedAgainst(SOURCE, SOURCE, 1.5, 1000, 5));
    }

    @Test
    void aSlowdownWithinTheSourcesOwnVariationIsNot() {
        Latency slowSecondRun = Latency.of(List.of(2000L, 2100L, 2000L, 1900L, 2000L, 2500L, 2000L, 2000L, 2000L,
                2600L));
        Latency target = Latency.of(List.of(2000L, 2000L, 2000L, 2100L, 2000L, 2000L, 1900L, 2000L, 2000L, 2700L));
        assertFalse(target.regressedAgainst(SOURCE, slowSecondRun, 1.5, 1000, 5));
    }

    @Test
    void aSlowerTailIsARegressionFromTwentySamplesWhenTheSourcesTwoRunsAgreeOnTheirs() {
        Latency stable = twenty(1000, 1200);
        Latency slowTail = twenty(1000, 9000);
        assertTrue(slowTail.regressedAgainst(stable, stable, 1.5, 1000, 5));
        Latency noisyTail = twenty(1000, 5000);
        assertFalse(slowTail.regressedAgainst(stable, noisyTail, 1.5, 1000, 5), "the source's own tail is noise");
    }

    @Test
    void microsecondsOnAFastStatementOrTooFewSamplesAreNot() {
        Latency fast = Latency.of(List.of(10L, 10L, 10L, 10L, 10L));
        Latency slower = Latency.of(List.of(40L, 40L, 40L, 40L, 40L));
        assertFalse(slower.regressedAgainst(fast, fast, 1.5, 1000, 5));
        Latency few = Latency.of(List.of(90_000L, 90_000L));
        assertFalse(few.regressedAgainst(SOURCE, SOURCE, 1.5, 1000, 5));
    }
}
