package io.exodus.analyzer.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The load guard's decisions, on probes whose answers the test sets: it backs a replay off while a side is slow,
 * pauses it, and lets it creep back once the side is fast again. (Against real servers: ShadowReplayTest.)
 */
class LoadGuardTest {
    private static final LoadGuard.Settings SETTINGS = new LoadGuard.Settings(Duration.ofMillis(10), 3,
            Duration.ofMillis(2));
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theBaselineIsTheFastestFirstProbeSoThatTheAnalyzersColdStartDoesNotBlindTheGuard() throws Exception {
        // As bench/shadow-replay.sh saw it: the first probes of a replay slow (connection opened, client code cold), the
        // server itself fast.
        Iterator<Long> cold = List.of(40_000L, 12_000L, 9_000L, 600L, 8_000L).iterator();
        AtomicLong sourceMicros = new AtomicLong(600);
        ReplayPermits permits = new ReplayPermits(8);
        Map<String, LoadGuard.Probe> probes = new LinkedHashMap<>();
        probes.put("source", () -> Future.succeededFuture(cold.hasNext() ? cold.next() : sourceMicros.get()));
        try (LoadGuard guard = new LoadGuard(vertx, probes, permits, SETTINGS)) {
            guard.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(Map.of("source", 600L), guard.summary().baselineMicros());
            sourceMicros.set(6_000);
            await(() -> permits.limit() == 0, "paused at 6 ms against 0.6 ms (a median of the first probes: 9 ms)");
        }
    }

    @Test
    void aSlowSideHalvesTheExecutionsAtOnceDownToAPauseAndAFastOneLetsThemBack() throws Exception {
        AtomicLong sourceMicros = new AtomicLong(300);
        ReplayPermits permits = new ReplayPermits(8);
        Map<String, LoadGuard.Probe> probes = new LinkedHashMap<>();
        probes.put("source", () -> Future.succeededFuture(sourceMicros.get()));
        probes.put("target", () -> Future.succeededFuture(250L));
        try (LoadGuard guard = new LoadGuard(vertx, probes, permits, SETTINGS)) {
            guard.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(Map.of("source", 300L, "target", 250L), guard.summary().baselineMicros());
            assertEquals(8, permits.limit(), "healthy sides: the full concurrency");

            sourceMicros.set(20_000);
            await(() -> permits.limit() == 0, "paused while the source answers in 20 ms against 0.3 ms");
            AtomicBoolean ran = new AtomicBoolean();
            permits.run(() -> {
                ran.set(true);
                return Future.succeededFuture();
            });
            Thread.sleep(100);
            assertFalse(ran.get(), "nothing starts while paused");

            sourceMicros.set(350);
            await(ran::get, "the execution that waited starts once the source is fast again");
            await(() -> permits.limit() == 8, "back to the full concurrency, one step at a time");
            LoadGuard.Summary summary = guard.summary();
            assertTrue(summary.backoffs() >= 4, "8, 4, 2, 1, 0: " + summary);
            assertEquals(0, summary.lowestLimit());
            assertTrue(summary.pausedMillis() >= 100, summary.toString());
        }
    }

    @Test
    void aProbeThatDoesNotAnswerCountsAsSlowAndJitterUnderTheFloorDoesNot() throws Exception {
        AtomicBoolean hang = new AtomicBoolean();
        AtomicLong targetMicros = new AtomicLong(100);
        ReplayPermits permits = new ReplayPermits(4);
        Map<String, LoadGuard.Probe> probes = new LinkedHashMap<>();
        probes.put("source", () -> hang.get() ? Promise.<Long>promise().future() : Future.succeededFuture(100L));
        probes.put("target", () -> Future.succeededFuture(targetMicros.get()));
        try (LoadGuard guard = new LoadGuard(vertx, probes, permits, SETTINGS)) {
            guard.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            // Ten times the baseline, but under min-latency (2 ms): jitter of a fast server, not a slowdown.
            targetMicros.set(1_000);
            Thread.sleep(150);
            assertEquals(4, permits.limit(), guard.summary().toString());
            assertEquals(0, guard.summary().backoffs());

            hang.set(true);
            await(() -> permits.limit() == 0, "a source that stops answering pauses the replay");
        }
        assertEquals(4, permits.limit(), "a closed guard holds nothing back");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
