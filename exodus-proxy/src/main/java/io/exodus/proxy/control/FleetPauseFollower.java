package io.exodus.proxy.control;

import io.exodus.proxy.session.SessionRegistry;
import io.exodus.proxy.session.TrafficPause;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

/**
 * This replica's part in a pause of the whole fleet's new transactions (a cutover, a rollback): when the control state
 * says a pause is in effect, the replica holds its sessions' next transactions and, once none of its transactions is
 * still open, reports that it holds the pause ({@code exodus.replicas.held_pause}); when the pause ends (or expires,
 * its requester gone), the replica lets its sessions go on. The requester resumes only after every replica applied
 * the phase the pause was for, so held sessions go on in it.
 */
final class FleetPauseFollower {
    private static final Logger LOG = Logger.getLogger(FleetPauseFollower.class);

    private final SessionRegistry sessions;
    /** The id of the last pause this replica followed; 0 before any. */
    private long followed;
    private TrafficPause pause;

    FleetPauseFollower(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    /** The fleet's pause as last read: its id and whether it is in effect. */
    synchronized void follow(long id, boolean inEffect, Pool pool, String fleet, String replica) {
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
            mine.allHeld().onSuccess(v -> {
                synchronized (this) {
                    if (pause == mine) {
                        pool.preparedQuery(ControlSql.HELD).execute(Tuple.of(fleet, replica, id)).onFailure(
                                failure -> LOG.warnf("Control: could not report pause %d held: %s", id,
                                        failure.getMessage()));
                    }
                }
            });
        } else if (!inEffect && id == followed && pause != null) {
            TrafficPause ending = pause;
            pause = null;
            ending.resume();
            LOG.infof("Control: new transactions go on after pause %d of fleet \"%s\" (%d ms)", id, fleet,
                    ending.elapsed().toMillis());
            pool.preparedQuery(ControlSql.HELD).execute(Tuple.of(fleet, replica, null));
        }
    }
}
