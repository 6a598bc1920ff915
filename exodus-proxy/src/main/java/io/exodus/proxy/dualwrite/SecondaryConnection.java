package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.metrics.SecondaryDetachment;
import io.exodus.proxy.session.SessionServices;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

/**
 * When a dual-write session has a secondary leg, and when it may use it: the leg is attached at the start, lost with
 * its connection, reconnected between transactions (at most every 5 s), given up for good when a policy pins the
 * session to the primary, and set aside while the database's replay queue drains. The leg itself is the relay's
 * state ({@link DualWriteRelay#secondary()}); this class holds the decisions about it, so that the relay's
 * request dispatch does not mix with the secondary's comings and goings.
 */
final class SecondaryConnection {
    private static final Logger LOG = Logger.getLogger(SecondaryConnection.class);
    private static final long RECONNECT_INTERVAL_NANOS = 5_000_000_000L;

    private final DualWriteRelay relay;
    private final SessionServices services;
    private final DualWriteServices dual;
    private final BackendLogin login;
    private final StatementBook book;
    /** BothRequired after a secondary failure: this session no longer uses the secondary. */
    private boolean pinned;
    private long lastReconnectAttempt;

    SecondaryConnection(DualWriteRelay relay, SessionServices services, DualWriteServices dual, BackendLogin login,
            StatementBook book) {
        this.relay = relay;
        this.services = services;
        this.dual = dual;
        this.login = login;
        this.book = book;
    }

    void attach(Leg leg) {
        relay.secondaryAttached(leg);
        leg.answerWithin(services.vertx(), dual.secondaryTimeout());
        leg.measuredBy(relay.legMetrics(), false, relay::currentPolicy);
        leg.onLost(why -> {
            LOG.warnf("%s: %s; writes continue on the primary as policy %s says", relay.label(), why,
                    relay.currentPolicy().configName());
            QueueHandoff queue = relay.queue();
            if (relay.secondary() == leg && queue.currentRecording() != null
                    && relay.primary().transactionStatus() != 'I' && queue.canQueue()) {
                // What the secondary applied of this transaction is gone with it: the whole of it goes to the queue.
                queue.queueCurrentTransaction("the target was lost during the transaction");
            }
            if (relay.secondary() == leg) {
                dual.metrics().secondaryDetached(leg.timedOut() ? SecondaryDetachment.TIMEOUT
                        : SecondaryDetachment.LOST);
                relay.detachSecondary();
            }
        });
        leg.start();
    }

    /**
     * Between transactions, a secondary that went away is reconnected (at most every 5 s), unless the session is
     * pinned to the primary. Inside a transaction a new secondary would miss the transaction's start, so nothing is
     * tried. Returns whether the secondary can be used now.
     */
    boolean usableAtBoundary() {
        if (relay.secondaryUsable()) {
            Leg primary = relay.primary();
            QueueHandoff queue = relay.queue();
            if (primary.transactionStatus() == 'I' && queue.replays() && queue.mustQueue()) {
                detachForQueue();
                return false;
            }
            return !queue.queueTransaction()
                    && (primary.transactionStatus() == 'I' || relay.secondaryTransaction().takesPart());
        }
        return false;
    }

    /** Reconnects the secondary if it is gone and the time has come; completes when it is usable or not. */
    Future<Void> reconnectIfDue() {
        if (relay.secondaryUsable() || pinned || relay.primary().transactionStatus() != 'I' || dual.target() == null
                || (relay.queue().replays() && relay.queue().mustQueue())) {
            return Future.succeededFuture();
        }
        long now = System.nanoTime();
        if (lastReconnectAttempt != 0 && now - lastReconnectAttempt < RECONNECT_INTERVAL_NANOS) {
            return Future.succeededFuture();
        }
        lastReconnectAttempt = now;
        return dual.target().open(login).compose(connection -> {
            if (relay.isClosed()) {
                connection.socket().close();
                return Future.succeededFuture();
            }
            Leg leg = new Leg(connection, services.maxMessageSize());
            attach(leg);
            book.secondaryReset();
            LOG.infof("%s: reconnected to the %s", relay.label(), leg.database());
            String replay = relay.sessionContext();
            if (replay.isEmpty()) {
                return Future.<Void>succeededFuture();
            }
            return leg.send(FrontendMessages.query(replay), 1, Leg.DISCARD).<Void>mapEmpty();
        }, failure -> {
            LOG.debugf("%s: the target is still unavailable: %s", relay.label(), failure.getMessage());
            return Future.<Void>succeededFuture();
        });
    }

    /** BothRequired after a secondary failure: the session keeps to the primary until it ends. */
    void pinToPrimary() {
        if (!pinned) {
            pinned = true;
            LOG.warnf("%s is pinned to the primary after a secondary failure (policy %s)",
                    relay.label(), relay.currentPolicy().configName());
        }
        Leg leg = relay.detachSecondary();
        if (leg != null) {
            dual.metrics().secondaryDetached(SecondaryDetachment.PINNED);
            leg.close();
        }
    }

    /** Between transactions while the queue has entries: the secondary waits, closed, until it has drained. */
    void detachForQueue() {
        Leg leg = relay.detachSecondary();
        lastReconnectAttempt = 0;
        if (leg != null) {
            dual.metrics().secondaryDetached(SecondaryDetachment.QUEUED);
            leg.drained().onComplete(v -> leg.close());
        }
    }
}
