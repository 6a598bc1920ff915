package io.exodus.proxy.verify;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * The cap on the databases' time a verification takes ({@code exodus.verify.max-database-share}): after each query
 * that took {@code t} on a database, verification waits {@code t × (1 − share) / share} before its next one there,
 * so that its queries keep each database busy for at most that share of the wall time. Waits shorter than a
 * millisecond are owed and added to the next, rather than forgotten.
 */
final class Throttle {
    private static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Vertx vertx;
    private final double share;
    private long owedNanos;
    private long pauses;
    private long pausedNanos;

    /** @param share of the wall time, above 0 and at most 1 (no cap) */
    Throttle(Vertx vertx, double share) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("exodus.verify.max-database-share must be above 0 and at most 1, not "
                    + share);
        }
        this.vertx = vertx;
        this.share = share;
    }

    /** Completes after the pause a query that kept a database busy for {@code busyNanos} owes, if any. */
    Future<Void> after(long busyNanos) {
        if (share >= 1) {
            return Future.succeededFuture();
        }
        long pause;
        synchronized (this) {
            owedNanos += (long) (busyNanos * (1 - share) / share);
            if (owedNanos < MIN_PAUSE_NANOS) {
                return Future.succeededFuture();
            }
            pause = owedNanos;
            owedNanos = 0;
            pauses++;
            pausedNanos += pause;
        }
        Promise<Void> paused = Promise.promise();
        vertx.setTimer(TimeUnit.NANOSECONDS.toMillis(pause), id -> paused.complete());
        return paused.future();
    }

    synchronized long pauses() {
        return pauses;
    }

    synchronized long pausedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(pausedNanos);
    }
}
