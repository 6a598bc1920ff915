package io.exodus.proxy.control;

import io.exodus.proxy.migration.StateConfirmer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * One heartbeat sent at once for the requests that found the lease expired: a GC pause or a starved CPU delays the
 * periodic heartbeat, and without this every request in that moment would be refused (docs/adr/0032, "Confirmation on
 * demand"). One is in flight at a time; every request that finds the lease expired meanwhile waits for the same one.
 */
final class ConfirmationOnDemand implements StateConfirmer {
    /**
     * The longest a request waits. A confirmation answered after {@code stale-after} renews nothing (the lease runs
     * from its send time), so longer is useless; 500 ms caps the wait of a client on a source that does not answer.
     */
    static final Duration LONGEST_WAIT = Duration.ofMillis(500);

    private final Vertx vertx;
    /** Sends a heartbeat now; true when it found the fleet's version equal to the applied one and renewed the lease. */
    private final Supplier<Future<Boolean>> heartbeat;
    private final long boundMillis;
    /** The confirmation requests wait for now; null when none is in flight. Changed under {@code this}. */
    private Future<Void> inFlight;

    ConfirmationOnDemand(Vertx vertx, Supplier<Future<Boolean>> heartbeat, Duration staleAfter) {
        this.vertx = vertx;
        this.heartbeat = heartbeat;
        this.boundMillis = Math.max(1, Math.min(staleAfter.toMillis(), LONGEST_WAIT.toMillis()));
    }

    @Override
    public synchronized Future<Void> confirmNow() {
        if (inFlight != null) {
            return inFlight;
        }
        Promise<Void> answer = Promise.promise();
        Future<Void> asked = answer.future();
        inFlight = asked;
        asked.onComplete(done -> cleared(asked));
        long timer = vertx.setTimer(boundMillis, id -> answer.tryFail("the control state did not answer within "
                + boundMillis + " ms"));
        Future<Boolean> sent;
        try {
            sent = heartbeat.get();
        } catch (RuntimeException failure) {
            sent = Future.failedFuture(failure);
        }
        sent.onComplete(result -> {
            vertx.cancelTimer(timer);
            if (result.failed()) {
                answer.tryFail(result.cause());
            } else if (result.result()) {
                answer.tryComplete();
            } else {
                answer.tryFail("the fleet's state is not the one this replica applied");
            }
        });
        return asked;
    }

    private synchronized void cleared(Future<Void> asked) {
        if (inFlight == asked) {
            inFlight = null;
        }
    }
}
