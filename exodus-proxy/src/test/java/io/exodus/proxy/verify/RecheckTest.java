package io.exodus.proxy.verify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Re-checks without servers: what settles is not reported, what persists is, and re-checks wait for a batch. */
class RecheckTest {
    private static final Vertx VERTX = Vertx.vertx();

    @AfterAll
    static void close() {
        VERTX.close();
    }

    @Test
    void aRowThatReadsTheSameOnceHasSettled() throws Exception {
        List<Integer> lookups = new ArrayList<>();
        Recheck recheck = new Recheck(VERTX, 3, Duration.ofMillis(1));
        // First re-check: row 1 still differs, row 2 settled; second: row 1 settled too.
        Recheck.Outcome outcome = await(recheck.settle(List.of(missing("1"), missing("2")), still -> {
            lookups.add(still.size());
            return Future.succeededFuture(lookups.size() == 1 ? List.of(missing("1")) : List.of());
        }));
        assertEquals(List.of(), outcome.persisting());
        assertEquals(2, outcome.settled());
        assertEquals(List.of(2, 1), lookups, "each re-check reads only what still differed");
    }

    @Test
    void aRowThatDiffersOnEveryRecheckIsReported() throws Exception {
        List<Integer> lookups = new ArrayList<>();
        Recheck recheck = new Recheck(VERTX, 3, Duration.ofMillis(1));
        Recheck.Outcome outcome = await(recheck.settle(List.of(missing("1"), missing("2")), still -> {
            lookups.add(still.size());
            return Future.succeededFuture(List.of(missing("2")));
        }));
        assertEquals(List.of(missing("2")), outcome.persisting());
        assertEquals(1, outcome.settled());
        assertEquals(List.of(2, 1, 1), lookups, "three re-checks");
    }

    @Test
    void withoutRechecksEveryDifferenceIsReportedAtOnce() throws Exception {
        Recheck.Outcome outcome = await(new Recheck(VERTX, 0, Duration.ofSeconds(10)).settle(List.of(missing("1")),
                still -> Future.failedFuture("never read again")));
        assertEquals(List.of(missing("1")), outcome.persisting());
    }

    @Test
    void differencesWaitForABatchBeforeTheyAreRechecked() throws Exception {
        List<Integer> lookups = new ArrayList<>();
        TableProgress progress = new TableProgress(new TableName("public", "t"), null, 10);
        PendingDifferences pending = new PendingDifferences(new Recheck(VERTX, 1, Duration.ofMillis(1)), still -> {
            lookups.add(still.size());
            return Future.succeededFuture(still.subList(0, 1));
        }, progress, 5);
        await(pending.add(List.of(missing("1"), missing("2"), missing("3"))));
        assertEquals(List.of(), lookups);
        await(pending.add(List.of(missing("4"), missing("5"), missing("6"))));
        assertEquals(List.of(6), lookups);
        await(pending.add(List.of(missing("7"))));
        await(pending.flush());
        assertEquals(List.of(6, 1), lookups);
        TableReport report = progress.report();
        assertEquals(2, report.missing());
        assertEquals(5, report.settled());
        assertEquals(List.of(missing("1"), missing("7")), report.examples());
    }

    private static RowDifference missing(String id) {
        return RowDifference.keyed(RowDifference.Kind.MISSING, Map.of("id", id), null, null);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
