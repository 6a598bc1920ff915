package io.exodus.analyzer.shadow;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * How many replayed executions may run at once: at most {@code exodus.analyzer.shadow.concurrency}, fewer while the
 * {@link LoadGuard} holds the replay back, none while it pauses it. Waiting work starts in the order it asked, as
 * permits free up or the limit rises. Never blocks a thread: a permit is a future.
 */
final class ReplayPermits {
    private final int ceiling;
    private final ArrayDeque<Promise<Void>> waiting = new ArrayDeque<>();
    private int limit;
    private int inUse;

    ReplayPermits(int ceiling) {
        if (ceiling < 1) {
            throw new IllegalArgumentException("at least one execution must be allowed at once, not " + ceiling);
        }
        this.ceiling = ceiling;
        this.limit = ceiling;
    }

    /** Runs {@code work} once a permit is free, and frees it when the work is done, whatever its outcome. */
    <T> Future<T> run(Supplier<Future<T>> work) {
        return acquire().compose(granted -> {
            Future<T> done;
            try {
                done = work.get();
            } catch (RuntimeException e) {
                done = Future.failedFuture(e);
            }
            return done.onComplete(finished -> release());
        });
    }

    private Future<Void> acquire() {
        Promise<Void> permit = Promise.promise();
        synchronized (this) {
            if (waiting.isEmpty() && inUse < limit) {
                inUse++;
                permit.complete();
            } else {
                waiting.add(permit);
            }
        }
        return permit.future();
    }

    private void release() {
        List<Promise<Void>> granted;
        synchronized (this) {
            inUse--;
            granted = grant();
        }
        granted.forEach(Promise::complete);
    }

    /** Sets how many may run at once, between 0 (paused; what runs finishes) and the ceiling. */
    void limit(int newLimit) {
        List<Promise<Void>> granted;
        synchronized (this) {
            limit = Math.max(0, Math.min(ceiling, newLimit));
            granted = grant();
        }
        granted.forEach(Promise::complete);
    }

    synchronized int limit() {
        return limit;
    }

    int ceiling() {
        return ceiling;
    }

    synchronized int inUse() {
        return inUse;
    }

    synchronized int waiting() {
        return waiting.size();
    }

    /** The waiting promises that may start now; completed by the caller outside the lock. */
    private List<Promise<Void>> grant() {
        List<Promise<Void>> granted = new ArrayList<>(0);
        while (inUse < limit && !waiting.isEmpty()) {
            inUse++;
            granted.add(waiting.poll());
        }
        return granted;
    }
}
