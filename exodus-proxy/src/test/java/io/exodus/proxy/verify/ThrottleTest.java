package io.exodus.proxy.verify;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pauses {@code exodus.verify.max-database-share} asks for, counted rather than timed. */
class ThrottleTest {
    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aQuarterShareWaitsThreeTimesTheQueryAfterIt() throws Exception {
        Throttle throttle = new Throttle(vertx, 0.25);
        throttle.after(TimeUnit.MILLISECONDS.toNanos(4)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, throttle.pauses());
        assertEquals(12, throttle.pausedMillis());
    }

    @Test
    void waitsTooShortToTakeAreOwedToTheNextQuery() throws Exception {
        Throttle throttle = new Throttle(vertx, 0.5);
        for (int i = 0; i < 9; i++) {
            throttle.after(TimeUnit.MICROSECONDS.toNanos(100)).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        }
        assertEquals(0, throttle.pauses(), "0.9 ms owed: not yet a pause");
        throttle.after(TimeUnit.MICROSECONDS.toNanos(100)).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertEquals(1, throttle.pauses());
        assertEquals(1, throttle.pausedMillis());
    }

    @Test
    void theWholeShareNeverWaits() throws Exception {
        Throttle throttle = new Throttle(vertx, 1);
        throttle.after(TimeUnit.SECONDS.toNanos(5)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(0, throttle.pauses());
    }

    @Test
    void aShareOutsideZeroToOneIsRefusedWithTheSetting() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new Throttle(vertx, 0));
        assertEquals("exodus.verify.max-database-share must be above 0 and at most 1, not 0.0", refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Throttle(vertx, 1.5));
    }
}
