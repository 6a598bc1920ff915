package io.exodus.proxy.control;

import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.migration.LongTransactions;
import io.exodus.proxy.session.SessionRegistry;
import io.exodus.proxy.session.TrafficPause;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * This replica's part in a pause of the whole fleet's new transactions (a cutover, a rollback): when the control state
 * says a pause is in effect, the replica holds its sessions' next transactions and, once none of its transactions is
 * still open, reports that it holds the pause ({@code exodus.replicas.held_pause}); when the pause ends (or expires,
 * its requester gone), the replica lets its sessions go on. The requester resumes only after every replica applied
 * the phase the pause was for, so held sessions go on in it.
 * <p>
 * Holding means more than no open transaction: the replica's replay queues have drained too. A transaction of this
 * replica that the secondary missed and that committed while the requester waited is in a queue only this replica may
 * know of (a database the requester's sessions never wrote, and that held nothing when the requester's gates looked
 * before the pause). Reported held before it drained, it would reach the new primary after the flip, over the writes
 * that primary took meanwhile. A queue that does not drain within {@code exodus.migration.cutover.timeout}, or holds a
 * parked transaction, keeps this replica from reporting: the requester's wait runs out and its change is called off.
 */
final class FleetPauseFollower {
    private static final Logger LOG = Logger.getLogger(FleetPauseFollower.class);

    private final SessionRegistry sessions;
    private final CatchUpApplier replay;
    private final Duration drainTimeout;
    /** The id of the last pause this replica followed; 0 before any. */
    private long followed;
    private TrafficPause pause;

    private final Vertx vertx;

    FleetPauseFollower(Vertx vertx, SessionRegistry sessions, CatchUpApplier replay, Duration drainTimeout) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.replay = replay;
        this.drainTimeout = drainTimeout;
    }

    /**
     * The fleet's pause as last read: its id, whether it is in effect, and what this replica does with its transactions
     * still open after {@code maxWait} ({@link LongTransactions#CANCEL}: it ends them; otherwise the requester decides).
     */
    synchronized void follow(long id, boolean inEffect, LongTransactions atTimeout, Duration maxWait, Pool pool,
            String fleet, String replica) {
        if (inEffect && id != followed) {
            followed = id;
            TrafficPause mine;
            try {
                mine = sessions.pauseTransactions();
            } catch (IllegalStateException busy) {
                LOG.warnf("Control: the fleet's pause %d cannot be followed: %s", id, busy.getMessage());
                return;
            }
            pause = mine;
            LOG.infof("Control: new transactions paused for pause %d of fleet \"%s\"", id, fleet);
            if (atTimeout == LongTransactions.CANCEL) {
                vertx.setTimer(Math.max(1, maxWait.toMillis()), timer -> endOpenTransactions(mine, id, maxWait));
            }
            mine.allHeld().compose(v -> drained()).onSuccess(v -> {
                synchronized (this) {
                    if (pause == mine) {
                        pool.preparedQuery(ControlSql.HELD).execute(Tuple.of(fleet, replica, id)).onFailure(
                                failure -> LOG.warnf("Control: could not report pause %d held: %s", id,
                                        failure.getMessage()));
                    }
                }
            }).onFailure(failure -> LOG.warnf("Control: pause %d of fleet \"%s\" is not reported held: %s", id, fleet,
                    failure.getMessage()));
        } else if (!inEffect && id == followed && pause != null) {
            TrafficPause ending = pause;
            pause = null;
            ending.resume();
            LOG.infof("Control: new transactions go on after pause %d of fleet \"%s\" (%d ms)", id, fleet,
                    ending.elapsed().toMillis());
            pool.preparedQuery(ControlSql.HELD).execute(Tuple.of(fleet, replica, null));
        }
    }

    private synchronized void endOpenTransactions(TrafficPause mine, long id, Duration maxWait) {
        if (pause != mine || mine.allHeld().isComplete()) {
            return;
        }
        LOG.warnf("Control: %d sessions still in a transaction %d ms into pause %d: ending them "
                + "(long-transactions cancel)", mine.stillRunning(), maxWait.toMillis(), id);
        mine.endOpenTransactions(TrafficPause.endedAfter(maxWait));
    }

    /** This replica's replay queues, read afresh, empty (see the class comment). */
    private Future<Void> drained() {
        return replay.active() ? replay.drainedBefore(System.nanoTime() + drainTimeout.toNanos())
                : Future.succeededFuture();
    }
}
