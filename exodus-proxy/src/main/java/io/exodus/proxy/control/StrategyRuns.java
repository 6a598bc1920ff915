package io.exodus.proxy.control;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * The fleet's strategy run in the control database ({@code exodus.strategy_runs}): one at a time for the whole fleet,
 * its progress written by the replica that runs it at each step, so that every replica shows it and none starts a
 * second one while that replica is live. When that replica stops being live, another takes the run over and resumes it
 * from its plan and its last step (docs/adr/0043).
 */
@ApplicationScoped
public class StrategyRuns {
    private final ControlPlane control;

    public StrategyRuns(ControlPlane control) {
        this.control = control;
    }

    /**
     * The run as the control database holds it.
     *
     * @param replica  the replica that runs it (or ran it)
     * @param progress its progress as JSON, as of its last step
     */
    public record FleetRun(String replica, String progress, boolean running) {
    }

    /** Whether the fleet shares its runs: with the control plane on. */
    public boolean shared() {
        return control.enabled();
    }

    public String replicaId() {
        return control.replicaId();
    }

    /**
     * Takes the fleet's run for this replica; fails with the run of the live replica that has it.
     *
     * @param plan the run's steps, as JSON: what a replica that takes the run over resumes ({@link #adopt})
     */
    public Future<Void> claim(String progress, String plan) {
        return control.pool().preparedQuery(ControlSql.CLAIM_STRATEGY)
                .execute(Tuple.of(control.fleet(), control.replicaId(), progress, control.liveMillis(), plan))
                .compose(claimed -> claimed.size() > 0 ? Future.succeededFuture()
                        : last().compose(other -> Future.failedFuture(new RunElsewhere(other.orElse(null)))));
    }

    /**
     * This replica's run as of now; {@code running} false once it ended. Answers whether this replica still has the
     * run: false once another replica took it over ({@link #adopt}), having found this one not live.
     */
    public Future<Boolean> save(String progress, boolean running) {
        return control.pool().preparedQuery(ControlSql.SAVE_STRATEGY)
                .execute(Tuple.of(control.fleet(), control.replicaId(), progress, running))
                .map(rows -> rows.size() > 0);
    }

    /**
     * A running strategy whose replica is no longer live (or was this replica, before it restarted), taken over by
     * this one.
     *
     * @param from     the replica that ran it
     * @param progress its progress as of that replica's last step
     * @param plan     its steps, as JSON
     */
    public record Orphan(String from, String progress, String plan) {
    }

    /** Takes over the fleet's running strategy if its replica is no longer live; empty when there is none to take. */
    public Future<Optional<Orphan>> adopt() {
        return control.pool().preparedQuery(ControlSql.ADOPT_STRATEGY)
                .execute(Tuple.of(control.fleet(), control.replicaId(), control.liveMillis())).map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new Orphan(row.getString(0), row.getString(1), row.getString(2)));
                });
    }

    /** The fleet's last run, whichever replica ran it. */
    public Future<Optional<FleetRun>> last() {
        return control.pool().preparedQuery(ControlSql.READ_STRATEGY).execute(Tuple.of(control.fleet()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new FleetRun(row.getString(0), row.getString(1), row.getBoolean(2)));
                });
    }

    /** Another live replica runs the fleet's strategy. */
    public static final class RunElsewhere extends RuntimeException {
        private final transient FleetRun run;

        RunElsewhere(FleetRun run) {
            super("replica " + (run == null ? "?" : run.replica()) + " runs the fleet's strategy");
            this.run = run;
        }

        public FleetRun run() {
            return run;
        }
    }
}
