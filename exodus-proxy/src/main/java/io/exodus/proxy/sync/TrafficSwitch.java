package io.exodus.proxy.sync;

import io.vertx.core.Future;

import java.time.Duration;

/**
 * What the initial sync needs from the proxy's sessions for its last step: a moment in which no transaction runs
 * on the source through Exodus, during which the target is brought to the source's WAL position and every session
 * is turned to dual-write, so that each transaction either committed before the pause (and reached the target
 * through the slot) or starts after it (and is dual-written). Nothing is missed, nothing applied twice.
 *
 * <p>Called in this order: {@link #pauseNewTransactions}, then, if it succeeded, {@link #enterDualWrite} (or not,
 * when bringing the target up failed), then always {@link #resume}.
 */
public interface TrafficSwitch {

    /**
     * Holds back every transaction that has not started yet (the first statement of a session outside a
     * transaction waits), on every replica; completes once no transaction of any session is open on the source, or
     * fails when that has not happened within {@code maxWait} (a session idle in a transaction, a long report). On
     * failure the switch is still paused: the sync calls {@link #resume} and tries again later.
     */
    Future<Void> pauseNewTransactions(Duration maxWait);

    /**
     * Every session, on every replica, runs its next transaction in phase dual-write: writes to the source and to
     * the target. Only called while paused; completes once the phase is in effect.
     */
    Future<Void> enterDualWrite();

    /** Lets the transactions held back go on (in dual-write if {@link #enterDualWrite} was called). */
    void resume();
}
