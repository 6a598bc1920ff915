package io.exodus.proxy.verify;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Differences found while dual-write runs may be writes in flight: a transaction committed on the source and not
 * yet on the target, or read between the two databases' reads. Each differing row is read again on both, after a
 * delay, a few times; a row that reads the same once has settled and is no divergence. What differs every time is.
 */
final class Recheck {
    private final Vertx vertx;
    private final int attempts;
    private final Duration delay;

    /** What is left after the re-checks, and how many rows settled. */
    record Outcome(List<RowDifference> persisting, long settled) {
    }

    Recheck(Vertx vertx, int attempts, Duration delay) {
        if (attempts < 0) {
            throw new IllegalArgumentException("exodus.verify.recheck-attempts must be 0 or more, not " + attempts);
        }
        this.vertx = vertx;
        this.attempts = attempts;
        this.delay = delay;
    }

    /**
     * @param lookAgain reads the rows of these differences again on both databases and answers with those that
     *                  still differ
     */
    Future<Outcome> settle(List<RowDifference> found, Function<List<RowDifference>, Future<List<RowDifference>>> lookAgain) {
        long foundRows = rows(found);
        return attempt(found, 1, lookAgain).map(persisting -> new Outcome(persisting, foundRows - rows(persisting)));
    }

    private Future<List<RowDifference>> attempt(List<RowDifference> still, int attempt,
            Function<List<RowDifference>, Future<List<RowDifference>>> lookAgain) {
        if (still.isEmpty() || attempt > attempts) {
            return Future.succeededFuture(still);
        }
        Promise<List<RowDifference>> next = Promise.promise();
        vertx.setTimer(Math.max(1, delay.toMillis()), id -> lookAgain.apply(still)
                .compose(now -> attempt(now, attempt + 1, lookAgain)).onComplete(next));
        return next.future();
    }

    private static long rows(List<RowDifference> differences) {
        return differences.stream().mapToLong(RowDifference::rows).sum();
    }
}
