package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.metrics.SecondaryDetachment;
import io.exodus.proxy.session.SessionServices;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * When a dual-write session has a secondary leg, and when it may use it: the leg is attached at the start, lost with
 * its connection, reconnected between transactions (at most every {@code exodus.migration.secondary-reconnect-interval},
 * 5 s by default), given up for good when a policy pins the session to the primary, and set aside while the database's
 * replay queue drains. The leg itself is in the session's {@link Legs}; this class holds the decisions about it, so
 * that the relay's request dispatch does not mix with the secondary's comings and goings.
 */
final class SecondaryConnection {
    private static final Logger LOG = Logger.getLogger(SecondaryConnection.class);

    private final SessionContext context;
    private final CurrentTransaction transaction;
    private final Legs legs;
    private final SessionServices services;
    private final DualWriteServices dual;
    private final BackendLogin login;
    private final StatementBook book;
    private final SecondaryTransaction secondaryTransaction;
    private final QueueHandoff queue;
    private final CustomSettings customSettings;
    /** Opens connections to the secondary's database; null when it is the target and none is configured. */
    private final BackendConnector connector;
    /** Whether the session has ended: a connection opened meanwhile is closed at once. */
    private final BooleanSupplier sessionClosed;
    /** BothRequired after a secondary failure: this session no longer uses the secondary. */
    private boolean pinned;
    private long lastReconnectAttempt;
    /** Why the last reconnected secondary was not used, said once until the reason changes; null when it was. */
    private String lastRefusal;

    SecondaryConnection(SessionContext context, SecondaryTransaction secondaryTransaction, QueueHandoff queue,
            CustomSettings customSettings, BackendConnector connector, BooleanSupplier sessionClosed) {
        this.context = context;
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.services = context.services();
        this.dual = context.dual();
        this.login = context.login();
        this.book = context.book();
        this.secondaryTransaction = secondaryTransaction;
        this.queue = queue;
        this.customSettings = customSettings;
        this.connector = connector;
        this.sessionClosed = sessionClosed;
    }

    void attach(Leg leg) {
        legs.attachSecondary(leg);
        leg.answerWithin(services.vertx(), dual.secondaryTimeout());
        leg.measuredBy(context.legMetrics(), false, transaction::policy);
        leg.onLost(why -> {
            LOG.warnf("%s: %s; writes continue on the primary as policy %s says", context.label(), why,
                    transaction.policy().configName());
            if (legs.secondary() == leg && queue.currentRecording() != null
                    && legs.primary().transactionStatus().inBlock() && queue.canQueue()) {
                // What the secondary applied of this transaction is gone with it: the whole of it goes to the queue.
                queue.queueCurrentTransaction("the target was lost during the transaction");
            }
            if (legs.secondary() == leg) {
                dual.metrics().secondaryDetached(leg.timedOut() ? SecondaryDetachment.TIMEOUT
                        : SecondaryDetachment.LOST);
                detach();
            }
        });
        leg.start();
    }

    /**
     * Between transactions, a secondary that went away is reconnected (at most every
     * {@code exodus.migration.secondary-reconnect-interval}), unless the session is pinned to the primary. Inside a
     * transaction a new secondary would miss the transaction's start, so nothing is tried. Returns whether the
     * secondary can be used now.
     */
    boolean usableAtBoundary() {
        if (legs.secondaryUsable()) {
            Leg primary = legs.primary();
            if (primary.transactionStatus() == TransactionStatus.IDLE && queue.replays() && queue.writesQueue()) {
                detachForQueue();
                return false;
            }
            return !queue.queueTransaction()
                    && (primary.transactionStatus() == TransactionStatus.IDLE || secondaryTransaction.takesPart());
        }
        return false;
    }

    /** Reconnects the secondary if it is gone and the time has come; completes when it is usable or not. */
    Future<Void> reconnectIfDue() {
        return reconnectIfDue(true);
    }

    /**
     * Reconnects the secondary if it is gone and the time has come; completes when it is usable or not. The new
     * connection is given the session's state as the primary has it now, read from the primary: its settings (role
     * and session authorization included) and its PREPAREs. A replay of the statements that made that state would
     * not do: one of them that the target refuses (a role dropped since) ends the replay of the rest, and the
     * session's writes then ran on the target under another search_path, silently. A secondary that cannot be given
     * the state, or that would lack temporary tables the session holds on the primary (an unqualified name would
     * mean a permanent table there), is not used: the session's transactions are handled as if the target were away,
     * which each policy makes loud.
     *
     * @param primaryQuiet false while parts of a request that a Flush sent ahead are open in the primary's implicit
     *                     transaction: the state cannot be read there without ending it, so nothing is tried
     */
    Future<Void> reconnectIfDue(boolean primaryQuiet) {
        return reconnect(primaryQuiet, null);
    }

    /** Reconnects a session that has just read its state from the primary (see {@link SessionAdoption}). */
    Future<Void> reconnectWith(SessionAdoption.SessionSetup setup) {
        return reconnect(true, setup);
    }

    private Future<Void> reconnect(boolean primaryQuiet, SessionAdoption.SessionSetup known) {
        if (legs.secondaryUsable() || pinned || !primaryQuiet || legs.primary().transactionStatus().inBlock()
                || connector == null || (queue.replays() && queue.writesQueue())) {
            return Future.succeededFuture();
        }
        long now = System.nanoTime();
        if (lastReconnectAttempt != 0 && now - lastReconnectAttempt < dual.secondaryReconnectInterval().toNanos()) {
            return Future.succeededFuture();
        }
        lastReconnectAttempt = now;
        return connector.open(login).compose(connection -> {
            if (sessionClosed.getAsBoolean()) {
                connection.socket().close();
                return Future.succeededFuture();
            }
            Leg leg = new Leg(connection, services.maxMessageSize());
            attach(leg);
            book.secondaryReset();
            Future<SessionAdoption.SessionSetup> state = known != null ? Future.succeededFuture(known)
                    : SessionAdoption.read(legs.primary(), customSettings.names());
            return state.compose(setup -> givenState(leg, setup),
                    failure -> Future.succeededFuture(failure.getMessage())).map(refusal -> {
                        String said = lastRefusal;
                        lastRefusal = refusal;
                        if (refusal == null) {
                            LOG.infof("%s: reconnected to the %s", context.label(), leg.database());
                        } else if (legs.secondary() == leg) {
                            if (!refusal.equals(said)) {
                                LOG.warnf("%s: the %s is reachable again but not used: %s", context.label(),
                                        leg.database(), refusal);
                            }
                            closeForSessionState(leg);
                        }
                        return null;
                    });
        }, failure -> {
            LOG.debugf("%s: the target is still unavailable: %s", context.label(), failure.getMessage());
            return Future.succeededFuture();
        });
    }

    /** Gives a new secondary the session's state; completes with why it cannot be used, or null. */
    private Future<String> givenState(Leg leg, SessionAdoption.SessionSetup setup) {
        List<String> temporaryTables = setup.obstacles().stream()
                .filter(obstacle -> obstacle.startsWith("the temporary table ")).toList();
        if (!temporaryTables.isEmpty()) {
            return Future.succeededFuture("the session holds " + String.join(", ", temporaryTables)
                    + " on the primary, which the new connection would lack");
        }
        List<String> state = SessionAdoption.stateStatements(setup, context.classifications());
        if (state == null) {
            return Future.succeededFuture("the session: " + SessionAdoption.MULTI_STATEMENT_PREPARE);
        }
        return SessionAdoption.give(leg, state)
                .map(refused -> refused == null ? null : "it refused the session's state: " + refused);
    }

    /**
     * The secondary refused what set up the session's state on the primary: it is closed, and a later boundary
     * reconnects it with the primary's state (or finds that it cannot be given it).
     */
    void dropForSessionState(Leg leg, String why) {
        if (legs.secondary() != leg) {
            return;
        }
        LOG.warnf("%s: the %s refused a statement that sets up the session (%s); it is reconnected with the "
                + "primary's state", context.label(), leg.database(), why);
        closeForSessionState(leg);
    }

    private void closeForSessionState(Leg leg) {
        dual.metrics().secondaryDetached(SecondaryDetachment.SESSION_STATE);
        detach();
        leg.close();
    }

    /** BothRequired after a secondary failure: the session keeps to the primary until it ends. */
    void pinToPrimary() {
        if (!pinned) {
            pinned = true;
            LOG.warnf("%s is pinned to the primary after a secondary failure (policy %s)",
                    context.label(), transaction.policy().configName());
        }
        Leg leg = detach();
        if (leg != null) {
            dual.metrics().secondaryDetached(SecondaryDetachment.PINNED);
            leg.close();
        }
    }

    /**
     * The session stops using its secondary (lost, pinned, set aside for the queue, or the session handed off);
     * returns the leg it had.
     */
    Leg detach() {
        Leg leg = legs.removeSecondary();
        secondaryTransaction.detached();
        return leg;
    }

    /** The client cancelled its request: the secondary's part of it, if one runs, is cancelled too. */
    void cancelRunning() {
        Leg leg = legs.secondary();
        if (leg != null && !leg.isIdle() && connector != null) {
            connector.cancel(leg.backend().processId(), leg.backend().secretKey());
        }
    }

    /** Between transactions while the queue has entries: the secondary waits, closed, until it has drained. */
    void detachForQueue() {
        Leg leg = detach();
        if (lastRefusal == null) {
            // Back as soon as the queue has drained. A session whose last new secondary could not be given its state
            // keeps the 5 s pace: otherwise every queued transaction of it would open and close one.
            lastReconnectAttempt = 0;
        }
        if (leg != null) {
            dual.metrics().secondaryDetached(SecondaryDetachment.QUEUED);
            leg.drained().onComplete(v -> leg.close());
        }
    }
}
