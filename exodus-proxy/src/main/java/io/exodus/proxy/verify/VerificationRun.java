package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;
import io.exodus.proxy.config.ExodusConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One verification of some tables of one database, one table after the other over one session on each side; a table
 * that cannot be verified is reported as failed with the reason, and the others go on.
 */
final class VerificationRun {
    private static final Logger LOG = Logger.getLogger(VerificationRun.class);

    private final String database;
    private final List<TableProgress> tables;
    private final BothSides databases;
    private final ExodusConfig.Verify config;
    private final Bisection bisection;
    private final Recheck recheck;
    private final ObjectMapper json;
    private final Instant startedAt = Instant.now();
    private Instant finishedAt;
    private String state = "running";
    /** A table failed for another reason than its definitions: a database went away, a query failed. */
    private boolean interrupted;

    VerificationRun(String database, List<TableProgress> tables, BothSides databases, ExodusConfig.Verify config,
            Vertx vertx, ObjectMapper json) {
        this.json = json;
        this.database = database;
        this.tables = List.copyOf(tables);
        this.databases = databases;
        this.config = config;
        this.bisection = new Bisection(config.bisectionThreshold(), config.bisectionFactor());
        this.recheck = new Recheck(vertx, config.recheckAttempts(), config.recheckDelay());
    }

    String database() {
        return database;
    }

    /** The progress of one of the tables verified, if this run verified it. */
    Optional<TableProgress> table(TableName name) {
        return tables.stream().filter(t -> t.table().equals(name)).findFirst();
    }

    synchronized boolean running() {
        return finishedAt == null;
    }

    /** The state and the time together: whoever reads one sees the other. */
    private synchronized void finish(String how) {
        finishedAt = Instant.now();
        state = how;
    }

    Future<Void> run() {
        LOG.infof("Verification of %d tables of database \"%s\" started", tables.size(), database);
        List<TableName> names = tables.stream().map(TableProgress::table).toList();
        return DurableProgress.open(databases, names, json, database).compose(durable -> {
            if (durable.resumes()) {
                LOG.infof("Verification of database \"%s\" continues the one a restart interrupted", database);
            }
            // A run that went through its tables is finished, whatever it found; one that lost a database is not:
            // the next verification of the same tables continues it.
            return InOrder.each(tables, table -> verify(table, durable)).compose(verified ->
                    interrupted ? Future.succeededFuture() : durable.finished());
        }).eventually(databases::close).onComplete(done -> {
            List<TableReport> reports = tables.stream().map(TableProgress::report).toList();
            boolean failed = done.failed() || reports.stream().anyMatch(t -> "failed".equals(t.state()));
            finish(failed ? "failed" : "done");
            long differing = reports.stream().filter(t -> !t.identical()).count();
            if (differing == 0 && !failed) {
                LOG.infof("Verification of database \"%s\": all %d tables identical", database, tables.size());
            } else {
                LOG.warnf("Verification of database \"%s\" %s: %d of %d tables not identical", database, state,
                        differing, tables.size());
            }
        });
    }

    private Future<Void> verify(TableProgress table, DurableProgress durable) {
        Optional<SavedTable> saved = durable.saved(table.table());
        if (saved.isPresent() && saved.get().done()) {
            // Verified before the restart: taken as it was.
            table.restore(saved.get());
            table.done();
            log(table.report());
            return Future.succeededFuture();
        }
        table.started();
        // A mark is cleared only by a verification of the whole table that began after it was made.
        Future<Sides<OffsetDateTime>> began = table.markedDivergent() && saved.isEmpty() ? clocks()
                : Future.succeededFuture();
        return began.compose(clocks -> {
            Future<Optional<TableDefinition>> source = databases.catalog(Side.SOURCE).definition(table.table());
            Future<Optional<TableDefinition>> target = databases.catalog(Side.TARGET).definition(table.table());
            return Future.all(source, target)
                    .compose(read -> verify(table, source.result(), target.result(), saved, durable))
                    .compose(v -> {
                        table.done();
                        log(table.report());
                        return durable.save(table, null, true);
                    })
                    .compose(v -> {
                        TableReport report = table.report();
                        if (!report.identical()) {
                            return markDifferent(table.table(), "verification found " + report.missing()
                                    + " rows missing on the target, " + report.extra() + " extra and "
                                    + report.different() + " different");
                        }
                        return clocks != null ? clearMarks(table.table(), clocks) : Future.succeededFuture();
                    });
        })
                .recover(failure -> {
                    String why = failure instanceof DefinitionMismatch ? failure.getMessage()
                            : "verification failed: " + failure.getMessage();
                    interrupted |= !(failure instanceof DefinitionMismatch);
                    table.failed(why);
                    LOG.warnf("Verification of table %s of \"%s\" failed: %s", table.table(), database, why);
                    return failure instanceof DefinitionMismatch ? markDifferent(table.table(), "verification found "
                            + "its definitions different: " + why) : Future.succeededFuture();
                });
    }

    /**
     * The table differs between the databases: it is marked divergent on the source, so that no move of the primary
     * makes a database that lacks rows (or has others) the one the application reads, until the table is repaired and
     * a verification begun after this finds it identical (docs/adr/0045). A mark that cannot be written is logged;
     * the report still says the table differs.
     */
    private Future<Void> markDifferent(TableName name, String reason) {
        return databases.catalog(Side.SOURCE).markDivergent(name, reason + " (repair it, then verify it again)")
                .onSuccess(v -> LOG.warnf("Table %s of \"%s\" is marked divergent: %s; a move of the primary waits "
                        + "until a later verification finds it identical", name, database, reason))
                .recover(failure -> {
                    LOG.errorf("Table %s of \"%s\" differs, and its divergence mark could not be written (%s): "
                            + "repair it and verify it again before a move of the primary", name, database,
                            failure.getMessage());
                    return Future.succeededFuture();
                });
    }

    private Future<Sides<OffsetDateTime>> clocks() {
        Future<OffsetDateTime> source = databases.catalog(Side.SOURCE).clock();
        Future<OffsetDateTime> target = databases.catalog(Side.TARGET).clock();
        return Future.all(source, target).map(read -> new Sides<>(source.result(), target.result()));
    }

    /**
     * The table read identical on both databases after it was marked: the transaction that made it divergent is in
     * neither or in both now (repaired), so the mark no longer holds a move of the primary back. A mark that cannot be
     * cleared stays, and the verification's finding with it.
     */
    private Future<Void> clearMarks(TableName name, Sides<OffsetDateTime> since) {
        Future<Integer> source = databases.catalog(Side.SOURCE).clearMarks(name, since.source());
        Future<Integer> target = databases.catalog(Side.TARGET).clearMarks(name, since.target());
        return Future.all(source, target).onSuccess(cleared -> {
            if (source.result() + target.result() > 0) {
                LOG.infof("Table %s of \"%s\" verified identical: its divergence mark is cleared", name, database);
            }
        }).<Void>mapEmpty().recover(failure -> {
            LOG.warnf("Table %s of \"%s\" verified identical, but its divergence mark could not be cleared (it still "
                    + "holds a cutover back; verify it again): %s", name, database, failure.getMessage());
            return Future.succeededFuture();
        });
    }

    private Future<Void> verify(TableProgress table, Optional<TableDefinition> onSource,
            Optional<TableDefinition> onTarget, Optional<SavedTable> saved, DurableProgress durable) {
        if (onSource.isEmpty()) {
            return Future.failedFuture(new DefinitionMismatch("the table no longer exists on the source"));
        }
        if (onTarget.isEmpty()) {
            return Future.failedFuture(new DefinitionMismatch("the table does not exist on the target: create it there "
                    + "with the source's definition (Exodus does not copy the schema)"));
        }
        Sides<TableDefinition> keyed;
        try {
            keyed = RowKeys.alike(onSource.get(), onTarget.get());
        } catch (DefinitionMismatch mismatch) {
            return Future.failedFuture(mismatch);
        }
        TableDefinition source = keyed.source();
        TableDefinition target = keyed.target();
        table.started(source);
        List<String> rowColumns = source.columnNames();
        if (source.hasKey()) {
            Sides<KeyedSql> sql = new Sides<>(new KeyedSql(source, rowColumns, config.showValues()),
                    new KeyedSql(target, rowColumns, config.showValues()));
            KeyRange remaining = KeyRange.ALL;
            // A bound of another key (the table's key changed since) cannot be continued from: verified anew.
            if (saved.isPresent() && saved.get().resumeFrom() != null
                    && saved.get().resumeFrom().size() == source.keyNames().size()) {
                table.restore(saved.get());
                remaining = new KeyRange(saved.get().resumeFrom(), null);
            }
            return new KeyedTableVerification(databases, sql, source.keyNames(), bisection, config.segmentRows(),
                    recheck, table, remaining, finishedBelow -> durable.save(table, finishedBelow, false)).run();
        }
        Sides<MultisetSql> sql = new Sides<>(new MultisetSql(source, rowColumns, config.showValues()),
                new MultisetSql(target, rowColumns, config.showValues()));
        return databases.catalog(Side.SOURCE).estimatedRows(source.name()).compose(estimate ->
                new MultisetTableVerification(databases, sql, config.bisectionThreshold(), estimate, recheck, table)
                        .run());
    }

    private void log(TableReport report) {
        if (report.identical()) {
            LOG.infof("Verification of table %s of \"%s\": %d rows identical (%d ms)", report.table(), database,
                    report.rowsChecked(), report.durationMillis());
            return;
        }
        LOG.warnf("Verification of table %s of \"%s\": %d rows missing on the target, %d extra, %d different; first: "
                + "%s", report.table(), database, report.missing(), report.extra(), report.different(),
                report.examples().stream().map(e -> e.kind().tag() + " " + (e.key() != null ? e.key() : e.rowMd5()))
                        .collect(Collectors.joining(", ")));
    }

    synchronized VerificationReport report() {
        List<TableReport> reports = tables.stream().map(TableProgress::report).toList();
        boolean identical = "done".equals(state) && reports.stream().allMatch(TableReport::identical);
        return new VerificationReport(state, identical, database, startedAt.toString(),
                finishedAt == null ? null : finishedAt.toString(), databases.pauses(), databases.pausedMillis(), reports);
    }
}
