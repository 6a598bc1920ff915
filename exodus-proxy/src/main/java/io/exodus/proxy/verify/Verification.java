package io.exodus.proxy.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.config.ExodusConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Row-by-row verification of the target against the source, on request and every {@code exodus.verify.interval} in
 * the phases that write to both: one at a time per proxy, over sessions of
 * its own on both databases (never a client's), on an event loop and without blocking it. Keeps the last report.
 */
@ApplicationScoped
public class Verification {
    private static final Logger LOG = Logger.getLogger(Verification.class);

    private final Vertx vertx;
    private final VerificationSessions sessions;
    private final ExodusConfig config;
    private final MigrationState migration;
    private final ObjectMapper json;
    private long timer = -1;
    private VerificationRun last;
    private VerificationRun lastFinished;
    private long rowsCheckedBefore;
    private boolean starting;
    private boolean repairing;
    private final List<Runnable> finishedListeners = new CopyOnWriteArrayList<>();

    public Verification(Vertx vertx, VerificationSessions sessions, ExodusConfig config, MigrationState migration,
            ObjectMapper json) {
        this.json = json;
        this.vertx = vertx;
        this.sessions = sessions;
        this.config = config;
        this.migration = migration;
    }

    /** A wrong setting stops start-up with its message rather than the first verification. */
    void onStart(@Observes StartupEvent event) {
        new Bisection(config.verify().bisectionThreshold(), config.verify().bisectionFactor());
        new Recheck(vertx, config.verify().recheckAttempts(), config.verify().recheckDelay());
        new Throttle(vertx, config.verify().maxDatabaseShare());
        if (config.verify().segmentRows() < 1) {
            throw new IllegalArgumentException("exodus.verify.segment-rows must be at least 1, not "
                    + config.verify().segmentRows());
        }
        long interval = config.verify().interval().toMillis();
        if (interval > 0 && sessions.haveTarget()) {
            synchronized (this) {
                timer = vertx.setPeriodic(interval, id -> onInterval());
            }
        }
    }

    /** The phase is read at each tick: it may change while the proxy runs; a verification still running is let be. */
    private void onInterval() {
        if (!migration.phase().writesBothDatabases()) {
            return;
        }
        start(List.of(), null).onFailure(failure -> {
            if (!(failure instanceof VerificationRefused refused
                    && refused.reason() == VerificationRefused.Reason.BUSY)) {
                LOG.warnf("Verification on the interval could not start: %s", failure.getMessage());
            }
        });
    }

    @PreDestroy
    synchronized void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    public synchronized Optional<VerificationReport> latest() {
        return Optional.ofNullable(last).map(VerificationRun::report);
    }

    /**
     * Takes the databases for a repair: none while a verification starts or runs, and no verification until
     * {@link #repaired}; a verification would read the rows the repair is changing.
     *
     * @return the verification to repair from, or the refusal
     */
    synchronized VerificationRun forRepair() {
        if (repairing) {
            throw new VerificationRefused(VerificationRefused.Reason.BUSY,
                    "a repair is running: wait for its answer and repair again");
        }
        if (starting || (last != null && last.running())) {
            throw new VerificationRefused(VerificationRefused.Reason.BUSY,
                    "a verification is running: wait for it (GET /exodus/migration/verification), then repair");
        }
        if (last == null) {
            throw new VerificationRefused(VerificationRefused.Reason.NO_REPORT,
                    "no verification on this proxy to repair from: verify the tables first (POST "
                            + "/exodus/migration/verify), then repair them");
        }
        repairing = true;
        return last;
    }

    /** The repair {@link #forRepair} allowed is over. */
    synchronized void repaired() {
        repairing = false;
    }

    /** Rows verified by the verifications this proxy ran, those finished and the one running. */
    public synchronized double rowsChecked() {
        // Until its finish is recorded, the last one counts here, so that the counter never goes back.
        long current = last != null && last != lastFinished ? rowsChecked(last) : 0;
        return rowsCheckedBefore + current;
    }

    /** The last verification that finished, for the meters: a running one does not count yet. */
    public synchronized Optional<VerificationReport> latestFinished() {
        return Optional.ofNullable(last != null && !last.running() ? last : lastFinished)
                .map(VerificationRun::report);
    }

    /** Tells {@code listener} each time one finishes (the meters appear with the first). */
    public void onFinished(Runnable listener) {
        finishedListeners.add(listener);
    }

    private void finished(VerificationRun run) {
        record(run);
        finishedListeners.forEach(Runnable::run);
    }

    private synchronized void record(VerificationRun run) {
        lastFinished = run;
        rowsCheckedBefore += rowsChecked(run);
    }

    private static long rowsChecked(VerificationRun run) {
        return run.report().tables().stream().mapToLong(TableReport::rowsChecked).sum();
    }

    /**
     * Starts verifying; completes once the tables are known and the verification runs, with its first report, or
     * fails with {@link VerificationRefused}.
     *
     * @param tables   names as SQL would write them ({@code t}, {@code app.t}, {@code "Mixed"}); empty: every table of
     *                 the database
     * @param database null: the source URL's
     */
    public Future<VerificationReport> start(List<String> tables, String database) {
        if (!sessions.haveTarget()) {
            return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.NO_TARGET,
                    "no target to verify against: set exodus.target.url (EXODUS_TARGET_URL)"));
        }
        synchronized (this) {
            if (starting || (last != null && last.running())) {
                return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.BUSY,
                        "a verification is running: wait for it (GET /exodus/migration/verification) and start again"));
            }
            if (repairing) {
                return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.BUSY,
                        "a repair is running: wait for its answer (or GET /exodus/migration/repair) and start again"));
            }
            starting = true;
        }
        String db = sessions.database(database);
        Promise<VerificationReport> started = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> sessions.open(db, config.verify().maxDatabaseShare())
                .compose(both -> plan(both, tables, db).onFailure(failure -> both.close()))
                .onComplete(planned -> {
                    synchronized (this) {
                        starting = false;
                        if (planned.succeeded()) {
                            last = planned.result();
                        }
                    }
                    if (planned.succeeded()) {
                        VerificationRun run = planned.result();
                        started.complete(run.report());
                        run.run().onComplete(done -> finished(run));
                    } else {
                        started.fail(planned.cause());
                    }
                }));
        return started.future();
    }

    private Future<VerificationRun> plan(BothSides databases, List<String> asked, String database) {
        TableCatalog source = databases.catalog(Side.SOURCE);
        Future<List<TableName>> tables = asked == null || asked.isEmpty() ? source.tables()
                : source.resolveAll(asked, database);
        // Marked on the source before a cutover (the target missed a write), on the target after one.
        Future<Map<TableName, String>> markedOnSource = source.markedDivergent();
        Future<Map<TableName, String>> markedOnTarget = databases.catalog(Side.TARGET).markedDivergent();
        Future<Map<TableName, String>> marked = Future.all(markedOnSource, markedOnTarget).map(read -> {
            Map<TableName, String> both = new LinkedHashMap<>(markedOnSource.result());
            markedOnTarget.result().forEach(both::putIfAbsent);
            return both;
        }).otherwise(failure -> {
            LOG.warnf("Could not read the tables marked divergent in \"%s\"; verifying in name order: %s", database,
                    failure.getMessage());
            return Map.of();
        });
        return Future.all(tables, marked).map(read -> {
            // The tables catch-up marked divergent first: they are the likeliest to differ.
            Set<TableName> ordered = new LinkedHashSet<>();
            for (TableName name : marked.result().keySet()) {
                if (tables.result().contains(name)) {
                    ordered.add(name);
                }
            }
            ordered.addAll(tables.result());
            List<TableProgress> progress = new ArrayList<>();
            for (TableName name : ordered) {
                progress.add(new TableProgress(name, marked.result().get(name), config.verify().maxExamples()));
            }
            return new VerificationRun(database, progress, databases, config.verify(), vertx, json);
        });
    }
}
