package io.exodus.proxy.sync;

import io.exodus.proxy.traffic.TrafficSwitch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The sync's last step: the changes since the copy applied until the target is close behind, then the switch: new
 * transactions held, the target brought to the source's WAL position, sequences set ahead, the switch journaled, the
 * phase changed to dual-write, the transactions let go. Each transaction of the application either committed before
 * the position (and reached the target through the slot) or starts after the pause (and is dual-written).
 */
final class SwitchToDualWrite {
    /** Where exodus.sync.test-hold-file holds the sync: its file names one of these. */
    static final String BEFORE_DUAL_WRITE = "before-dual-write";
    static final String AFTER_DUAL_WRITE = "after-dual-write";
    private static final long FLUSH_POLL_MILLIS = 5;
    private static final long TEST_HOLD_POLL_MILLIS = 50;

    private final Vertx vertx;
    private final Pool source;
    private final Pool target;
    private final SlotChanges changes;
    private final List<SyncedTable> tables;
    private final TrafficSwitch traffic;
    private final SyncSettings settings;
    private final SyncProgress progress;
    /** Fails when DDL changed the source's schema since the sync began ({@link SchemaFingerprint}). */
    private final Supplier<Future<Void>> schemaUnchanged;
    /** The database the sync copied: the one the switch turns to dual-write, while sessions on others stay direct. */
    private final String database;

    /**
     * @param schemaUnchanged fails when DDL changed the source's schema since the sync began
     * @param database        the database the sync copied
     */
    SwitchToDualWrite(Vertx vertx, Pool source, Pool target, SlotChanges changes, List<SyncedTable> tables,
            TrafficSwitch traffic, SyncSettings settings, SyncProgress progress,
            Supplier<Future<Void>> schemaUnchanged, String database) {
        this.vertx = vertx;
        this.source = source;
        this.target = target;
        this.changes = changes;
        this.tables = tables;
        this.traffic = traffic;
        this.settings = settings;
        this.progress = progress;
        this.schemaUnchanged = schemaUnchanged;
        this.database = database;
    }

    /** The switch, tried up to exodus.sync.switch-attempts times, each after catching up again. */
    Future<Void> run() {
        return switchOver(1).compose(v -> heldByTest(AFTER_DUAL_WRITE));
    }

    /** Every transaction that committed before the source's current WAL insert position applied. */
    Future<Void> drainToNow() {
        return source.query("SELECT pg_catalog.pg_current_wal_insert_lsn()::text").execute()
                .compose(rows -> drainTo(Lsn.parse(rows.iterator().next().getString(0))));
    }

    /**
     * The slot's changes applied round after round until a round comes back short of its limit: close behind. The
     * schema is checked then, so that DDL made during a long copy stops the sync before any pause.
     */
    Future<Void> catchUp() {
        return changes.applyRound(null).compose(round -> round.mayHoldMore() ? catchUp()
                : schemaUnchanged.get());
    }

    /** Every transaction that committed before {@code upTo} applied. */
    private Future<Void> drainTo(Lsn upTo) {
        return flushedPast(upTo).compose(v -> applyUpTo(upTo));
    }

    /**
     * A round that stopped short of its change limit read every record up to {@code upTo} (flushed by then), so
     * it got every transaction that committed before it: no second look, which would decode the slot's WAL
     * again while the clients wait.
     */
    private Future<Void> applyUpTo(Lsn upTo) {
        return changes.applyRound(upTo).compose(round -> round.mayHoldMore()
                ? applyUpTo(upTo) : Future.succeededFuture());
    }

    /**
     * Decoding reads only WAL the source has flushed, and a commit under synchronous_commit = off returns before
     * its record is flushed: until the flush passes the switch's position, the last commits would not be seen.
     */
    private Future<Void> flushedPast(Lsn position) {
        // A synchronous commit of a transaction that wrote WAL (here a logical message no publication carries)
        // flushes the WAL up to its commit record, past the position: no waiting for the WAL writer. Where the
        // role may not emit messages, the WAL writer flushes within a few wal_writer_delay.
        return source.query("BEGIN; SET LOCAL synchronous_commit = on; "
                + "SELECT pg_catalog.pg_logical_emit_message(true, 'exodus_sync', 'switch'); COMMIT").execute()
                .<Void>mapEmpty().recover(failure -> Future.succeededFuture())
                .compose(v -> polledPast(position));
    }

    private Future<Void> polledPast(Lsn position) {
        return source.query("SELECT pg_catalog.pg_current_wal_flush_lsn()::text").execute().compose(rows -> {
            if (Lsn.parse(rows.iterator().next().getString(0)).value() >= position.value()) {
                return Future.succeededFuture();
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(FLUSH_POLL_MILLIS, id -> polledPast(position).onComplete(later));
            return later.future();
        });
    }

    private Future<Void> switchOver(int attempt) {
        progress.enter(SyncState.SWITCHING);
        progress.step(SyncStep.SWITCH);
        long pausedAt = System.nanoTime();
        return traffic.pauseNewTransactions(settings.switchTimeout()).transform(paused -> {
            if (paused.failed()) {
                traffic.resume();
                if (attempt >= settings.switchAttempts()) {
                    return Future.failedFuture(new IllegalStateException("the switch to dual-write found "
                            + "transactions in flight after " + attempt + " attempts of "
                            + settings.switchTimeout().toMillis() + " ms (exodus.sync.switch-timeout): "
                            + paused.cause().getMessage()));
                }
                progress.enter(SyncState.CATCHING_UP);
                progress.step(SyncStep.CATCH_UP);
                return catchUp().compose(v -> switchOver(attempt + 1));
            }
            // Nothing runs on the source through Exodus now: what committed before this position is all there
            // is. The insert position, not pg_current_wal_lsn() (the write position): a commit under
            // synchronous_commit = off may still sit in the WAL buffers, past what was written.
            long[] steps = new long[3];
            steps[0] = System.nanoTime();
            Lsn[] position = new Lsn[1];
            return source.query("SELECT pg_catalog.pg_current_wal_insert_lsn()::text").execute()
                    .compose(rows -> {
                        position[0] = Lsn.parse(rows.iterator().next().getString(0));
                        // The last look at the schema, while no transaction runs through Exodus: beside the drain,
                        // so that it does not lengthen the pause.
                        return Future.all(drainTo(position[0]), schemaUnchanged.get()).<Void>mapEmpty();
                    })
                    .compose(v -> {
                        steps[1] = System.nanoTime();
                        return SequenceAdvance.run(source, target, tables, settings.sequenceMargin());
                    })
                    // Committed on the target before any session can turn: a sync resumed after a crash from
                    // here on asks the phase record whether they did, instead of applying the slot again.
                    .compose(v -> traffic.phaseMark())
                    .compose(mark -> SyncJournal.markSwitch(target,
                            new SyncJournal.SwitchMark(position[0], mark.orElse(null))))
                    .compose(v -> heldByTest(BEFORE_DUAL_WRITE))
                    .compose(v -> traffic.enterDualWrite(database))
                    .transform(done -> {
                        traffic.resume();
                        steps[2] = System.nanoTime();
                        progress.switchPause(Duration.ofNanos(steps[2] - pausedAt),
                                Duration.ofNanos(steps[0] - pausedAt), Duration.ofNanos(steps[1] - steps[0]));
                        return done.failed() ? Future.failedFuture(done.cause()) : Future.<Void>succeededFuture();
                    });
        });
    }

    /**
     * The test hook exodus.sync.test-hold-file: while its file exists, the sync stays at {@code point} (the file
     * names it; empty is {@link #AFTER_DUAL_WRITE}), for a test to kill the proxy there: after the switch mark and
     * before the phase change, the sessions held; or after the sessions turned to dual-write, before the slot is
     * dropped. Read on the event loop: a test's file, never set in production.
     */
    private Future<Void> heldByTest(String point) {
        Optional<Path> file = settings.testHoldFile();
        String at;
        try {
            at = file.isPresent() && Files.exists(file.get())
                    ? Files.readString(file.get()).trim() : null;
        } catch (IOException gone) {
            at = null;
        }
        if (at != null && (at.isEmpty() ? AFTER_DUAL_WRITE : at).equals(point)) {
            Promise<Void> later = Promise.promise();
            vertx.setTimer(TEST_HOLD_POLL_MILLIS, id -> heldByTest(point).onComplete(later));
            return later.future();
        }
        return Future.succeededFuture();
    }
}
