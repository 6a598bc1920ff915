package io.exodus.proxy.verify;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Repair of the rows the last verification found differing ({@code POST /exodus/migration/repair}): they are copied
 * again from the authoritative database, the primary of the current phase, onto the other, one transaction per
 * table. Each row is read again first: what settled since the verification is left alone. Keeps the last report.
 */
@ApplicationScoped
public class Repair {
    private static final Logger LOG = Logger.getLogger(Repair.class);

    private final Vertx vertx;
    private final VerificationSessions sessions;
    private final Verification verification;
    private final MigrationState migration;
    /** {@code exodus.verify.repair-lock-timeout}. */
    private final Duration lockTimeout;
    private RepairReport last;

    public Repair(Vertx vertx, VerificationSessions sessions, Verification verification, MigrationState migration,
            ExodusConfig config) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.verification = verification;
        this.migration = migration;
        this.lockTimeout = config.verify().repairLockTimeout();
    }

    public synchronized Optional<RepairReport> latest() {
        return Optional.ofNullable(last);
    }

    /**
     * Repairs these tables' differences as the last verification reported them; completes with the report once every
     * table is repaired, or fails with {@link VerificationRefused}.
     *
     * @param tables names as SQL would write them; at least one
     */
    public Future<RepairReport> repair(List<String> tables) {
        if (!sessions.haveTarget()) {
            return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.NO_TARGET,
                    "no target to repair: set exodus.target.url (EXODUS_TARGET_URL)"));
        }
        if (tables == null || tables.isEmpty() || tables.stream().anyMatch(t -> t == null || t.isBlank())) {
            return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.UNKNOWN_TABLE,
                    "name the tables to repair: {\"tables\": [\"public.accounts\"]}"));
        }
        VerificationRun run;
        try {
            run = verification.forRepair();
        } catch (VerificationRefused refused) {
            return Future.failedFuture(refused);
        }
        Side authoritative = migration.phase().primary();
        Promise<RepairReport> done = Promise.promise();
        // No cap on the databases' time: a repair holds a transaction open, and must not wait inside it.
        // The repair holds the primary's locks while it waits for the repaired side's: both waits are bounded, so that
        // a long application transaction fails the repair of a table rather than stalling it and the writes behind.
        String bounded = "SET lock_timeout = " + Math.max(1, lockTimeout.toMillis());
        vertx.getOrCreateContext().runOnContext(v -> sessions.open(run.database(), 1)
                .compose(both -> Future.all(both.script(Side.SOURCE, bounded), both.script(Side.TARGET, bounded))
                        .compose(set -> repair(both, run, tables, authoritative)).eventually(both::close))
                .onComplete(repaired -> {
                    verification.repaired();
                    synchronized (this) {
                        if (repaired.succeeded()) {
                            last = repaired.result();
                        }
                    }
                    done.handle(repaired);
                }));
        return done.future();
    }

    private Future<RepairReport> repair(BothSides databases, VerificationRun run, List<String> asked,
            Side authoritative) {
        Instant startedAt = Instant.now();
        List<TableRepairReport> reports = new ArrayList<>();
        return resolve(databases.catalog(Side.SOURCE), run, asked)
                .compose(tables -> InOrder.each(tables, table -> repair(databases, table, authoritative)
                        .map(report -> {
                            reports.add(report);
                            log(run.database(), authoritative, report);
                            return null;
                        })))
                .map(all -> new RepairReport(reports.stream().allMatch(t -> "done".equals(t.state())) ? "done"
                        : "failed", run.database(), authoritative.configName(), authoritative.other().configName(),
                        startedAt.toString(), Instant.now().toString(), List.copyOf(reports)));
    }

    private Future<List<TableProgress>> resolve(TableCatalog source, VerificationRun run, List<String> asked) {
        return source.resolveAll(asked, run.database()).compose(names -> {
            List<TableProgress> found = new ArrayList<>();
            for (TableName name : names) {
                Optional<TableProgress> verified = run.table(name);
                if (verified.isEmpty()) {
                    return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.UNKNOWN_TABLE,
                            "the last verification did not verify " + name + ": verify it first (POST "
                                    + "/exodus/migration/verify with {\"tables\": [\"" + name + "\"]}), then repair it"));
                }
                found.add(verified.get());
            }
            return Future.succeededFuture(found);
        });
    }

    private Future<TableRepairReport> repair(BothSides databases, TableProgress verified, Side authoritative) {
        TableName table = verified.table();
        TableReport report = verified.report();
        if (!"done".equals(report.state())) {
            return Future.succeededFuture(TableRepairReport.failed(table, "its verification did not finish ("
                    + report.state() + (report.error() == null ? "" : ": " + report.error())
                    + "): verify it again, then repair it"));
        }
        String unrepairable = verified.unrepairable();
        if (unrepairable != null) {
            return Future.succeededFuture(TableRepairReport.failed(table, unrepairable));
        }
        List<RowDifference> differences = verified.differences();
        if (differences.isEmpty()) {
            return Future.succeededFuture(TableRepairReport.done(table, 0, List.of()));
        }
        var onSource = databases.catalog(Side.SOURCE).definition(table);
        var onTarget = databases.catalog(Side.TARGET).definition(table);
        return Future.all(onSource, onTarget).compose(read -> {
            if (onSource.result().isEmpty() || onTarget.result().isEmpty()) {
                return Future.succeededFuture(TableRepairReport.failed(table, "the table no longer exists on the "
                        + (onSource.result().isEmpty() ? "source" : "target") + ": nothing was changed"));
            }
            Sides<TableDefinition> tables;
            try {
                tables = RowKeys.alike(onSource.result().get(), onTarget.result().get());
            } catch (DefinitionMismatch mismatch) {
                return Future.succeededFuture(TableRepairReport.failed(table, mismatch.getMessage()
                        + "; nothing was changed"));
            }
            if (!tables.source().keyNames().equals(report.key())) {
                return Future.succeededFuture(TableRepairReport.failed(table, "the table's key changed since it was "
                        + "verified (rows were matched by " + report.key() + ", now by " + tables.source().keyNames()
                        + "): verify it again, then repair it; nothing was changed"));
            }
            Future<TableRepairReport> repaired = tables.source().hasKey()
                    ? new KeyedRepair(databases, tables, authoritative).run(table, differences)
                    : new MultisetRepair(databases, tables, authoritative).run(table, differences);
            return repaired.recover(failure -> Future.succeededFuture(TableRepairReport.failed(table,
                    "the repair was rolled back, nothing was changed: " + reason(failure),
                    failure instanceof PgException pg ? pg.getSqlState() : null)));
        });
    }

    private String reason(Throwable failure) {
        if (failure instanceof PgException pg && SqlState.LOCK_NOT_AVAILABLE.equals(pg.getSqlState())) {
            return "a transaction held its rows (or the table, without a key) locked longer than "
                    + "exodus.verify.repair-lock-timeout (" + lockTimeout.toMillis() + " ms): repair it again ("
                    + pg.getMessage() + ")";
        }
        return failure.getMessage();
    }

    private static void log(String database, Side authoritative, TableRepairReport report) {
        if ("done".equals(report.state())) {
            LOG.infof("Repair of table %s of \"%s\" on the %s from the %s: %d rows inserted, %d updated, %d deleted, "
                    + "%d settled", report.table(), database, authoritative.other().configName(),
                    authoritative.configName(), report.inserted(), report.updated(), report.deleted(),
                    report.settled());
        } else {
            LOG.warnf("Repair of table %s of \"%s\" failed: %s", report.table(), database, report.error());
        }
    }
}
