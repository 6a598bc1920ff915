package io.exodus.proxy.control;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heartbeat asked for by requests that found the lease expired, against a heartbeat the test answers by hand. */
class ConfirmationOnDemandTest {
    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger sent = new AtomicInteger();
    private Promise<Boolean> answer;

    @AfterEach
    void close() {
        vertx.close();
    }

    private ConfirmationOnDemand confirmation(Duration staleAfter) {
        return new ConfirmationOnDemand(vertx, () -> {
            sent.incrementAndGet();
            answer = Promise.promise();
            return answer.future();
        }, staleAfter);
    }

    @Test
    void requestsThatFindTheLeaseExpiredMeanwhileShareOneHeartbeat() throws Exception {
        ConfirmationOnDemand confirmation = confirmation(Duration.ofMillis(2500));
        Future<Void> first = confirmation.confirmNow();
        Future<Void> second = confirmation.confirmNow();
        assertSame(first, second);
        assertEquals(1, sent.get());
        answer.complete(true);
        await(first);
        assertTrue(first.succeeded());
        // Answered: the next request that finds the lease expired asks again.
        confirmation.confirmNow();
        assertEquals(2, sent.get());
    }

    @Test
    void aFleetThatMovedOnIsNoConfirmation() {
        ConfirmationOnDemand confirmation = confirmation(Duration.ofMillis(2500));
        Future<Void> asked = confirmation.confirmNow();
        answer.complete(false);
        assertThrows(Exception.class, () -> await(asked));
    }

    @Test
    void aFailedReadIsNoConfirmation() {
        ConfirmationOnDemand confirmation = new ConfirmationOnDemand(vertx,
                () -> Future.failedFuture("held back"), Duration.ofMillis(2500));
        assertThrows(Exception.class, () -> await(confirmation.confirmNow()));
    }

    @Test
    void aReadThatDoesNotAnswerWithinTheBoundIsNoConfirmation() {
        ConfirmationOnDemand confirmation = confirmation(Duration.ofMillis(50));
        Future<Void> asked = confirmation.confirmNow();
        // Never answered: the bound, min(stale-after, 500 ms), fails it.
        assertThrows(Exception.class, () -> await(asked));
        assertTrue(asked.failed());
    }

    private static void await(Future<Void> future) throws Exception {
        future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
