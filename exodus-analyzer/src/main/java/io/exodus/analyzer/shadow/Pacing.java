package io.exodus.analyzer.shadow;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;

/** When each execution of a replay may start ({@link Pace}). */
final class Pacing {
    private final Vertx vertx;
    /** The capture's first instant, replayed at {@link #startNanos}; null when not paced. */
    private final Instant firstCaptured;
    private final long startNanos;

    private Pacing(Vertx vertx, Instant firstCaptured) {
        this.vertx = vertx;
        this.firstCaptured = firstCaptured;
        this.startNanos = System.nanoTime();
    }

    /** Starting now, for these executions. */
    static Pacing of(Pace pace, Vertx vertx, Collection<CapturedExecution> executions) {
        if (pace == Pace.FAST) {
            return new Pacing(vertx, null);
        }
        return new Pacing(vertx, executions.stream().map(CapturedExecution::at).min(Comparator.naturalOrder())
                .orElse(null));
    }

    /** Completes when an execution captured at {@code capturedAt} is due: at once when not paced, or late. */
    Future<Void> due(Instant capturedAt) {
        if (firstCaptured == null || capturedAt == null) {
            return Future.succeededFuture();
        }
        long offset = Duration.between(firstCaptured, capturedAt).toNanos();
        long waitMillis = (startNanos + offset - System.nanoTime()) / 1_000_000;
        if (waitMillis < 1) {
            return Future.succeededFuture();
        }
        Promise<Void> due = Promise.promise();
        vertx.setTimer(waitMillis, id -> due.complete());
        return due.future();
    }
}
