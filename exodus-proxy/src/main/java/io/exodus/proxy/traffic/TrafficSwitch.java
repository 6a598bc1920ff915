package io.exodus.proxy.traffic;

import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.LongTransactions;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A moment in which no transaction runs through Exodus, to change what sessions write to. The initial sync uses it for
 * its last step: the target is brought to the source's WAL position and every session is turned to dual-write, so that
 * each transaction either committed before the pause (and reached the target through the slot) or starts after it
 * (and is dual-written); nothing is missed, nothing applied twice. A cutover and a rollback use it to move the primary.
 *
 * <p>Called in this order: {@link #pauseNewTransactions}, then, if it succeeded, {@link #enterDualWrite(String)} (or not,
 * when bringing the target up failed), then always {@link #resume}.
 */
public interface TrafficSwitch {
    /** Who the initial sync's phase change is audited as. */
    String INITIAL_SYNC = "initial sync";

    /**
     * Holds back every transaction that has not started yet (the first statement of a session outside a
     * transaction waits), on every replica; completes once no transaction of any session is open on the source, or
     * fails when that has not happened within {@code maxWait} (a session idle in a transaction, a long report). On
     * failure the switch is still paused: the sync calls {@link #resume} and tries again later.
     */
    default Future<Void> pauseNewTransactions(Duration maxWait) {
        return pauseNewTransactions(maxWait, LongTransactions.ABORT);
    }

    /**
     * As {@link #pauseNewTransactions(Duration)}, with {@code atTimeout} saying what happens to the transactions still
     * open after {@code maxWait}: the pause fails ({@code ABORT}), they are ended and the pause completes once they are
     * ({@code CANCEL}; it fails if a session is still in a request another {@code maxWait} later), or it waits on
     * ({@code WAIT}).
     */
    Future<Void> pauseNewTransactions(Duration maxWait, LongTransactions atTimeout);

    /**
     * Every session on {@code database}, on every replica, runs its next transaction in phase dual-write: writes to the
     * source and to the target; sessions on any other database stay on the source alone, since the sync copied
     * {@code database} only (docs/adr/0053). Only called while paused; completes once both are in effect.
     */
    default Future<Void> enterDualWrite(String database) {
        return moveOnly(MigrationDatabases.of(List.of(database)), INITIAL_SYNC, "the sync copied database "
                + database + " alone")
                .compose(v -> enter(MigrationPhase.DUAL_WRITE, INITIAL_SYNC, "the target caught up with the source"));
    }

    /**
     * Narrows the migration to {@code databases} (sessions on others relayed to the source alone), audited under
     * {@code actor} and {@code reason}. Only called while paused; completes once it is in effect.
     */
    Future<Void> moveOnly(MigrationDatabases databases, String actor, String reason);

    /**
     * Moves the migration to {@code phase} while paused, audited under {@code actor} and {@code reason}: the held
     * sessions follow it before they go on. Completes once the phase is in effect.
     */
    Future<Void> enter(MigrationPhase phase, String actor, String reason);

    /** Lets the transactions held back go on (in dual-write if {@link #enterDualWrite(String)} was called). */
    void resume();

    /**
     * A mark of where the durable record of phase changes stands now, to ask {@link #phaseChangesSince} about after a
     * crash: whether a phase change made after the mark committed. Empty when phases are not durable (kept in memory
     * only): then no process started after a crash can tell what the phase was before it.
     */
    default Future<Optional<Long>> phaseMark() {
        return Future.succeededFuture(Optional.empty());
    }

    /** The phase changes committed after {@code mark} (from {@link #phaseMark}), oldest first. */
    default Future<List<PhaseChange>> phaseChangesSince(long mark) {
        return Future.failedFuture(new IllegalStateException("phases are not durable here: no mark to ask about"));
    }
}
