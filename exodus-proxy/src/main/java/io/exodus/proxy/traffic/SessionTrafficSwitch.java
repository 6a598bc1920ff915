package io.exodus.proxy.traffic;

import io.exodus.proxy.control.ControlPlane;
import io.exodus.proxy.control.ControlSetting;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.LongTransactions;
import io.exodus.proxy.session.SessionRegistry;
import io.exodus.proxy.session.TrafficPause;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The switch over this proxy's sessions: {@link SessionRegistry#pauseTransactions} holds their next transactions,
 * and a phase change is what held sessions follow before they go on. This replica only: other replicas of the same
 * migration are not paused (docs/initial-sync.md), so the sync runs only when this replica is the fleet's one live
 * replica; a cutover uses it when the control plane is off, and {@link FleetTrafficSwitch} otherwise.
 */
@ApplicationScoped
public class SessionTrafficSwitch implements TrafficSwitch {
    private final SessionRegistry sessions;
    private final MigrationChanges changes;
    private final Vertx vertx;
    private volatile TrafficPause pause;

    private final ControlPlane control;

    public SessionTrafficSwitch(SessionRegistry sessions, MigrationChanges changes, Vertx vertx, ControlPlane control) {
        this.control = control;
        this.sessions = sessions;
        this.changes = changes;
        this.vertx = vertx;
    }

    @Override
    public Future<Void> pauseNewTransactions(Duration maxWait, LongTransactions atTimeout) {
        TrafficPause started = sessions.pauseTransactions();
        pause = started;
        Promise<Void> held = Promise.promise();
        long millis = Math.max(1, maxWait.toMillis());
        long timer = atTimeout == LongTransactions.WAIT ? -1 : vertx.setTimer(millis, id -> {
            if (atTimeout == LongTransactions.ABORT) {
                held.tryFail(new TimeoutException(started.stillRunning() + " sessions still in a transaction"));
                return;
            }
            started.endOpenTransactions(TrafficPause.endedAfter(maxWait));
            vertx.setTimer(millis, again -> held.tryFail(new TimeoutException(started.stillRunning()
                    + " sessions whose transaction was to be ended still had a request running")));
        });
        started.allHeld().onComplete(all -> {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            if (all.succeeded()) {
                held.tryComplete();
            } else {
                held.tryFail(all.cause());
            }
        });
        return held.future();
    }

    /**
     * Through the control plane when it is on, so that the fleet's state (which a replica restarting reads) says
     * dual-write too; the sync runs only when this replica is the fleet's one live replica (see SyncResource).
     */
    @Override
    public Future<Void> enter(MigrationPhase phase, String actor, String reason) {
        return changes.change(ControlSetting.PHASE, phase.configName(), actor, reason).mapEmpty();
    }

    @Override
    public Future<Void> moveOnly(MigrationDatabases databases, String actor, String reason) {
        return changes.change(ControlSetting.DATABASES, databases.stored(), actor, reason).mapEmpty();
    }

    @Override
    public void resume() {
        TrafficPause started = pause;
        pause = null;
        if (started != null) {
            started.resume();
        }
    }

    /** The fleet's version in the control database when the control plane is on; empty otherwise. */
    @Override
    public Future<Optional<Long>> phaseMark() {
        return control.enabled() ? control.fleetVersion().map(Optional::of) : Future.succeededFuture(Optional.empty());
    }

    @Override
    public Future<List<PhaseChange>> phaseChangesSince(long mark) {
        return control.phaseChangesSince(mark).map(changes -> changes.stream()
                .map(change -> new PhaseChange(change.who(), change.from(), change.to())).toList());
    }
}
