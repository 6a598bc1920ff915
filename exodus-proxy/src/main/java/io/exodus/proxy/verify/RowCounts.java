package io.exodus.proxy.verify;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.migration.MigrationState;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Row counts of every table on both databases, every {@code exodus.verify.count-interval} in the phases that write to
 * both, and on request: cheap enough for business hours (exact counts of small tables, estimates of large ones), a
 * first sign of divergence that verification then pins down to rows.
 */
@ApplicationScoped
public class RowCounts {
    private static final Logger LOG = Logger.getLogger(RowCounts.class);

    private final Vertx vertx;
    private final VerificationSessions sessions;
    private final ExodusConfig config;
    private final MigrationState migration;
    private RowCountRound last;
    private RowCountRound lastFinished;
    private boolean starting;
    private final List<Runnable> finishedListeners = new CopyOnWriteArrayList<>();
    private long timer = -1;

    public RowCounts(Vertx vertx, VerificationSessions sessions, ExodusConfig config, MigrationState migration) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.config = config;
        this.migration = migration;
    }

    synchronized void onStart(@Observes StartupEvent event) {
        long interval = config.verify().countInterval().toMillis();
        if (interval > 0 && sessions.haveTarget()) {
            timer = vertx.setPeriodic(interval, id -> {
                // The phase is read at each tick: it may change while the proxy runs.
                if (!migration.phase().writesBothDatabases()) {
                    return;
                }
                countNow(null).onFailure(failure -> {
                    if (!(failure instanceof VerificationRefused refused
                            && refused.reason() == VerificationRefused.Reason.BUSY)) {
                        LOG.warnf("Row counts could not start: %s", failure.getMessage());
                    }
                });
            });
        }
    }

    public synchronized Optional<RowCountReport> latest() {
        return Optional.ofNullable(last).map(RowCountRound::report);
    }

    /** The last round that finished, for the meters. */
    public synchronized Optional<RowCountReport> latestFinished() {
        return Optional.ofNullable(last != null && !last.running() ? last : lastFinished).map(RowCountRound::report);
    }

    /** Tells {@code listener} each time one finishes (the meters appear with the first). */
    public void onFinished(Runnable listener) {
        finishedListeners.add(listener);
    }

    private void finished(RowCountRound round) {
        record(round);
        finishedListeners.forEach(Runnable::run);
    }

    private synchronized void record(RowCountRound round) {
        lastFinished = round;
    }

    /**
     * Starts a round; completes with its first report once it runs, or fails with {@link VerificationRefused}.
     *
     * @param database null: the source URL's
     */
    public Future<RowCountReport> countNow(String database) {
        if (!sessions.haveTarget()) {
            return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.NO_TARGET,
                    "no target to count rows on: set exodus.target.url (EXODUS_TARGET_URL)"));
        }
        synchronized (this) {
            if (starting || (last != null && last.running())) {
                return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.BUSY,
                        "row counts are running: wait for them (GET /exodus/migration/row-counts) and start again"));
            }
            starting = true;
        }
        String db = sessions.database(database);
        Promise<RowCountReport> started = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> sessions.open(db, config.verify().maxDatabaseShare()).onComplete(opened -> {
            RowCountRound round = opened.succeeded() ? new RowCountRound(db, opened.result(), config.verify(), vertx)
                    : null;
            synchronized (this) {
                starting = false;
                if (round != null) {
                    last = round;
                }
            }
            if (round == null) {
                started.fail(opened.cause());
                return;
            }
            started.complete(round.report());
            round.run().onComplete(done -> finished(round));
        }));
        return started.future();
    }

    @PreDestroy
    synchronized void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
