package io.exodus.proxy.session;

import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * New transactions wait: every session of this proxy holds its next request once it is between transactions, until
 * {@link #resume()}. Transactions in flight run on; {@link #allHeld()} completes once none is left, which is the moment
 * a switch (the end of the initial sync, a cutover) may change what sessions write to. Sessions that start meanwhile
 * are held at their first request. The caller bounds the wait: a transaction may outlive any pause.
 */
public final class TrafficPause {
    private final SessionRegistry registry;
    private final Set<ClientSession> waiting = ConcurrentHashMap.newKeySet();
    private final Promise<Void> allHeld = Promise.promise();
    private final long startedNanos = System.nanoTime();
    private volatile long endedNanos;

    TrafficPause(SessionRegistry registry, Set<ClientSession> open) {
        this.registry = registry;
        waiting.addAll(open);
        completeIfNoneWaits();
    }

    /** Completes once every session that was open at the start holds between transactions, or has ended. */
    public Future<Void> allHeld() {
        return allHeld.future();
    }

    /** How many sessions are still in a transaction (or a request). */
    public int stillRunning() {
        return waiting.size();
    }

    /**
     * Ends the transactions of the sessions still in one ({@code LongTransactions.CANCEL}): each is closed with
     * {@code why} at once, or once its request in flight is answered; {@link #allHeld()} completes when all are.
     */
    public void endOpenTransactions(ErrorResponse why) {
        waiting.forEach(session -> session.endOpenTransaction(why));
    }

    /** What a client whose transaction was ended for a move of the primary is told: it may run it again. */
    public static ErrorResponse endedAfter(Duration waited) {
        return ErrorResponse.fatal(SqlState.ADMIN_SHUTDOWN, "terminating connection: its transaction was still open "
                + waited.toMillis() + " ms after Exodus paused new transactions to move the primary "
                + "(exodus.migration.cutover.long-transactions is cancel); it was rolled back on both databases: "
                + "connect again and run it again");
    }

    /** Lets every held session go on; the sessions of a phase changed meanwhile go on in the new phase. */
    public void resume() {
        if (endedNanos == 0) {
            endedNanos = System.nanoTime();
            registry.resumed(this);
        }
    }

    /** From the start of the pause to its resume (or until now). */
    public Duration elapsed() {
        long end = endedNanos == 0 ? System.nanoTime() : endedNanos;
        return Duration.ofNanos(end - startedNanos);
    }

    void held(ClientSession session) {
        waiting.remove(session);
        completeIfNoneWaits();
    }

    void gone(ClientSession session) {
        held(session);
    }

    private void completeIfNoneWaits() {
        if (waiting.isEmpty()) {
            allHeld.tryComplete();
        }
    }
}
