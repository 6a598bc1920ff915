package io.exodus.analyzer.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/** How many replayed executions run at once, as the load guard sets it. */
class ReplayPermitsTest {

    @Test
    void noMoreRunAtOnceThanTheLimitAndTheRestStartInTheOrderTheyAsked() {
        ReplayPermits permits = new ReplayPermits(2);
        List<Promise<Void>> running = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int task = i;
            permits.run(() -> {
                started.add(task);
                Promise<Void> work = Promise.promise();
                running.add(work);
                return work.future();
            });
        }
        assertEquals(List.of(0, 1), started);
        assertEquals(2, permits.waiting());
        running.get(1).complete();
        assertEquals(List.of(0, 1, 2), started);
        running.get(0).fail("a failed execution frees its permit too");
        assertEquals(List.of(0, 1, 2, 3), started);
        assertEquals(2, permits.inUse());
    }

    @Test
    void aLimitOfNonePausesAndRaisingItResumes() {
        ReplayPermits permits = new ReplayPermits(4);
        permits.limit(0);
        List<Future<String>> done = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            done.add(permits.run(() -> Future.succeededFuture("ran")));
        }
        assertTrue(done.stream().noneMatch(Future::isComplete), "paused: nothing starts");
        permits.limit(1);
        assertTrue(done.stream().allMatch(future -> "ran".equals(future.result())),
                "one at a time, each finishing at once");
        permits.limit(99);
        assertEquals(4, permits.limit(), "never above the configured concurrency");
        assertFalse(permits.inUse() > 0);
    }
}
