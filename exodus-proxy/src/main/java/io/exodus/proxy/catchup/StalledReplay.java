package io.exodus.proxy.catchup;

import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

/**
 * Watches the replay of a pipeline of queue entries on the target: while the entry it is on has not finished after
 * {@code exodus.replay.stall-warning}, and every two such periods after that, says what the target makes it wait for.
 * An entry waits for nothing on a healthy target (live sessions leave the target alone while the queue has entries);
 * a lock held there by a transaction that never ends (one prepared and left behind, a session idle in a transaction)
 * would stop the whole queue of the database without a word otherwise.
 */
final class StalledReplay {
    private static final Logger LOG = Logger.getLogger(StalledReplay.class);
    /** What blocks a backend: sessions (with what they run) and prepared transactions, which hold locks as pid 0. */
    static final String BLOCKERS = """
            SELECT coalesce((SELECT string_agg(CASE WHEN b = 0 THEN 'a prepared transaction' \
            ELSE 'pid ' || b || ' (' || coalesce(a.state, '?') || ': ' || left(coalesce(a.query, ''), 120) || ')' END, \
            '; ') FROM unnest(pg_catalog.pg_blocking_pids($1)) AS b \
            LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = b), 'no lock'), \
            coalesce((SELECT string_agg(gid || ' (prepared ' || prepared || ')', ', ') \
            FROM pg_catalog.pg_prepared_xacts WHERE database = pg_catalog.current_database()), 'none')""";

    private final QueueReplay replayer;
    private final String database;
    /** Which entry the target is on now, and since when: the one a stall holds. */
    private final PipelinedApply pipeline;
    private final int targetPid;
    private long timer;

    private StalledReplay(QueueReplay replayer, String database, PipelinedApply pipeline, int targetPid) {
        this.replayer = replayer;
        this.database = database;
        this.pipeline = pipeline;
        this.targetPid = targetPid;
    }

    /** Starts watching the replay of {@code pipeline} on the target backend {@code targetPid}. */
    static StalledReplay watch(QueueReplay replayer, String database, PipelinedApply pipeline, int targetPid) {
        StalledReplay watch = new StalledReplay(replayer, database, pipeline, targetPid);
        watch.timer = replayer.vertx().setTimer(replayer.queue().config().stallWarning().toMillis(),
                id -> watch.check());
        return watch;
    }

    /** The replay finished, one way or another. */
    void finished() {
        replayer.vertx().cancelTimer(timer);
        timer = -1;
    }

    private void check() {
        if (timer == -1) {
            return;
        }
        long entry = pipeline.running();
        long waitedMillis = (System.nanoTime() - pipeline.runningSinceNanos()) / 1_000_000;
        long warnAfterMillis = replayer.queue().config().stallWarning().toMillis();
        if (waitedMillis < warnAfterMillis) {
            // The pipeline moved on to a later entry since: its own wait is what counts.
            timer = replayer.vertx().setTimer(warnAfterMillis - waitedMillis, id -> check());
            return;
        }
        replayer.queue().connections().to(replayer.queue().destination(), database).preparedQuery(BLOCKERS)
                .execute(Tuple.of(targetPid)).onComplete(read -> {
                    if (timer == -1) {
                        return;
                    }
                    long seconds = (System.nanoTime() - pipeline.runningSinceNanos()) / 1_000_000_000;
                    if (read.succeeded()) {
                        var row = read.result().iterator().next();
                        String destination = replayer.destinationName();
                        LOG.warnf("Replay of queued transaction %d of \"%s\" has waited %d s on the %s, and the "
                                + "queue of the database behind it: blocked by %s; prepared transactions there: %s. A "
                                + "transaction that never ends on the %s stops the queue until it is ended "
                                + "(COMMIT PREPARED or ROLLBACK PREPARED as on the %s, pg_terminate_backend)",
                                entry, database, seconds, destination, row.getString(0), row.getString(1), destination,
                                replayer.queue().homeSide().configName());
                    } else {
                        LOG.warnf("Replay of queued transaction %d of \"%s\" has waited %d s on the %s (what it "
                                + "waits for could not be read: %s)", entry, database, seconds,
                                replayer.destinationName(), read.cause().getMessage());
                    }
                    timer = replayer.vertx().setTimer(2 * replayer.queue().config().stallWarning().toMillis(),
                            id -> check());
                });
    }
}
