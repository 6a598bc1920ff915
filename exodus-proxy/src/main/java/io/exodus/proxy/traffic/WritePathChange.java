package io.exodus.proxy.traffic;

import io.exodus.proxy.control.ControlChange;
import io.exodus.proxy.control.ControlPlane;
import io.exodus.proxy.control.ControlSetting;
import io.exodus.proxy.migration.MigrationPhase;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * A phase change that starts or stops the target's share of the writes (direct to dual-write or canary, and back),
 * made for the whole fleet under a pause of new transactions. Without it, a replica that has not read the change yet
 * (its notification lost, its poll not due) routes its writes by the old phase while the others use the new one: in
 * direct while the rest dual-write, the target misses its writes, and nobody notices. Under the pause every replica has
 * ended its transactions before the phase changes, and resumes only once it has read the new phase.
 */
@ApplicationScoped
public class WritePathChange {
    /**
     * @param change      the phase's change, with the replicas that applied it
     * @param pauseMillis how long new transactions were held
     */
    public record Made(ControlChange change, long pauseMillis) {
    }

    private final FleetTrafficSwitch fleet;
    private final ControlPlane control;

    public WritePathChange(FleetTrafficSwitch fleet, ControlPlane control) {
        this.fleet = fleet;
        this.control = control;
    }

    /** Whether a change from {@code from} to {@code to} moves writes onto or off the target. */
    public static boolean needed(MigrationPhase from, MigrationPhase to) {
        return from.writesBothDatabases() != to.writesBothDatabases();
    }

    /**
     * Pauses the fleet's new transactions (up to {@code maxWait} for those in flight, else the change is called off
     * and nothing changed), changes the phase, resumes.
     */
    public Future<Made> change(MigrationPhase to, Duration maxWait, String actor, String reason) {
        long started = System.nanoTime();
        return fleet.pauseNewTransactions(maxWait)
                .recover(failure -> Future.failedFuture(new IllegalStateException("the phase change to "
                        + to.configName() + " was called off after " + maxWait.toMillis() + " ms: "
                        + failure.getMessage() + "; nothing was changed (a longer exodus.migration.cutover.timeout "
                        + "waits longer)", failure)))
                .compose(held -> control.change(ControlSetting.PHASE, to.configName(), actor, reason,
                        fleet.pauseId()))
                .map(change -> new Made(change, (System.nanoTime() - started) / 1_000_000))
                .andThen(done -> fleet.resume());
    }
}
