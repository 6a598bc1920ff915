package io.exodus.proxy.traffic;

import io.exodus.proxy.control.ControlPlane;
import io.exodus.proxy.control.ControlSetting;
import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.LongTransactions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The switch over every replica of the fleet, through the control plane: the pause is written to the control state,
 * each live replica (this one included) holds its sessions' next transactions and reports once none of its
 * transactions is open; the phase change then reaches every replica (a change answers once all applied it), and the
 * end of the pause lets them go on, in the new phase. Used whenever the control plane is on.
 */
@ApplicationScoped
public class FleetTrafficSwitch implements TrafficSwitch {
    private static final long CHECK_EVERY_MILLIS = 20;

    private final ControlPlane control;
    private final Vertx vertx;
    /** The id of the fleet's pause this replica began; 0 when none. */
    private volatile long pause;

    public FleetTrafficSwitch(ControlPlane control, Vertx vertx) {
        this.control = control;
        this.vertx = vertx;
    }

    @Override
    public Future<Void> pauseNewTransactions(Duration maxWait, LongTransactions atTimeout) {
        long waits = atTimeout.waits();
        long deadline = waits == 0 ? Long.MAX_VALUE : System.nanoTime() + waits * maxWait.toNanos();
        return control.beginFleetPause(maxWait, atTimeout).compose(id -> {
            pause = id;
            Promise<Void> held = Promise.promise();
            long lease = ControlPlane.pauseLeaseMillis(maxWait, atTimeout);
            awaitHeld(id, deadline, held, atTimeout == LongTransactions.WAIT ? lease : 0, System.nanoTime());
            return held.future();
        });
    }

    /**
     * @param lease      how long the pause lives from a renewal; 0 when it is not renewed (its wait is bounded)
     * @param renewedAt  when it was renewed last
     */
    private void awaitHeld(long id, long deadline, Promise<Void> held, long lease, long renewedAt) {
        control.notHolding(id).onFailure(held::tryFail).onSuccess(replicas -> {
            if (replicas.isEmpty()) {
                held.tryComplete();
            } else if (System.nanoTime() > deadline) {
                held.tryFail(new TimeoutException("sessions still in a transaction, or a replay queue not drained, "
                        + "on replica" + (replicas.size() == 1 ? " " : "s ") + String.join(", ", replicas)
                        + " (its log says which)"));
            } else if (lease > 0 && System.nanoTime() - renewedAt > TimeUnit.MILLISECONDS.toNanos(lease / 3)) {
                // Waiting for long transactions: the pause must not expire while this replica still waits.
                control.renewFleetPause(id, lease).onComplete(renewed -> vertx.setTimer(CHECK_EVERY_MILLIS,
                        timer -> awaitHeld(id, deadline, held, lease, System.nanoTime())));
            } else {
                vertx.setTimer(CHECK_EVERY_MILLIS, timer -> awaitHeld(id, deadline, held, lease, renewedAt));
            }
        });
    }

    @Override
    public Future<Void> enter(MigrationPhase phase, String actor, String reason) {
        return control.change(ControlSetting.PHASE, phase.configName(), actor, reason, pause).mapEmpty();
    }

    @Override
    public Future<Void> moveOnly(MigrationDatabases databases, String actor, String reason) {
        return control.change(ControlSetting.DATABASES, databases.stored(), actor, reason, pause).mapEmpty();
    }

    /** The id of the fleet's pause this replica began and holds now; 0 when none. */
    long pauseId() {
        return pause;
    }

    @Override
    public void resume() {
        long ending = pause;
        pause = 0;
        if (ending != 0) {
            control.endFleetPause(ending);
        }
    }

    /** The fleet's version in the control database (this switch is used with the control plane on only). */
    @Override
    public Future<Optional<Long>> phaseMark() {
        return control.fleetVersion().map(Optional::of);
    }

    @Override
    public Future<List<PhaseChange>> phaseChangesSince(long mark) {
        return control.phaseChangesSince(mark).map(changes -> changes.stream()
                .map(change -> new PhaseChange(change.who(), change.from(), change.to())).toList());
    }
}
