package io.exodus.proxy.sync;

import io.exodus.proxy.traffic.PhaseChange;
import io.exodus.proxy.traffic.TrafficSwitch;
import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.ControlConnections;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * One initial sync, read top to bottom: check, schema before the rows, slot and snapshot, rows, schema after the
 * rows, changes since the slot until caught up, then the switch to dual-write. Runs on an event loop of its own;
 * pg_dump and pg_restore on worker threads. Whatever happens, the slot and the publications it made on the source
 * are dropped when it ends, so that a failed sync does not keep the source's WAL.
 */
public final class InitialSync {
    private static final String EXISTING_TABLES = "SELECT count(*) FROM unnest($1::text[]) AS t(name) "
            + "WHERE pg_catalog.to_regclass(t.name) IS NOT NULL";

    private static final String POST_DATA_PRESENT = "WITH t AS (SELECT pg_catalog.to_regclass(name) AS id "
            + "FROM unnest($1::text[]) AS n(name)) "
            + "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indrelid IN (SELECT id FROM t)) "
            + "OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid IN (SELECT id FROM t) AND NOT tgisinternal) "
            + "OR EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid IN (SELECT id FROM t) AND contype = 'f')";
    private static final String FOREIGN_KEYS_PRESENT = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint "
            + "WHERE contype = 'f' AND conrelid IN (SELECT pg_catalog.to_regclass(name) FROM unnest($1::text[]) AS "
            + "n(name)))";
    private static final String TARGET_SCHEMAS = "SELECT nspname FROM pg_catalog.pg_namespace";
    private static final String SLOT_EXISTS = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots "
            + "WHERE slot_name = $1 AND database = current_database())";

    private static final String NOT_DIRECT = "the sync starts in phase direct and ends in dual-write; this proxy runs "
            + "in phase dual-write";

    private final Vertx vertx;
    private final BackendEndpoint source;
    private final BackendEndpoint target;
    private final SyncSettings settings;
    private final Duration connectTimeout;
    private final int maxMessageSize;
    private final TrafficSwitch traffic;
    private final SyncProgress progress;

    public InitialSync(Vertx vertx, BackendEndpoint source, BackendEndpoint target, SyncSettings settings,
            Duration connectTimeout, int maxMessageSize, TrafficSwitch traffic, SyncProgress progress) {
        this.vertx = vertx;
        this.source = source;
        this.target = target;
        this.settings = settings;
        this.connectTimeout = connectTimeout;
        this.maxMessageSize = maxMessageSize;
        this.traffic = traffic;
        this.progress = progress;
    }

    /** Runs the sync; completes when it is done or has failed (then {@link SyncProgress#status} says why). */
    public Future<Void> run(SyncRequest request) {
        return run(request, false);
    }

    /**
     * Ends a sync a crash interrupted after its switch to dual-write had committed: drops its slot and publications
     * and clears the journal, applying nothing (this proxy runs in dual-write already). Fails, leaving both, when the
     * journal and the phase record do not show such a switch.
     */
    public Future<Void> finishInterruptedSwitch() {
        return run(SyncRequest.everything(), true);
    }

    private Future<Void> run(SyncRequest request, boolean inDualWrite) {
        Promise<Void> finished = Promise.promise();
        // A verticle of its own: the sync's sessions and callbacks live on one event loop, whoever started it.
        vertx.deployVerticle(new AbstractVerticle() {
            @Override
            public void start() {
                runHere(request, inDualWrite, finished);
            }
        }).onSuccess(id -> finished.future().onComplete(done -> vertx.undeploy(id))).onFailure(finished::tryFail);
        return finished.future();
    }

    private void runHere(SyncRequest request, boolean inDualWrite, Promise<Void> finished) {
        Run run = new Run(request, inDualWrite);
        run.steps().onComplete(result -> run.close().onComplete(closed -> {
            if (result.succeeded()) {
                progress.enter(SyncState.DONE);
                finished.complete();
            } else {
                progress.fail(result.cause().getMessage() == null ? result.cause().toString()
                        : result.cause().getMessage());
                finished.fail(result.cause());
            }
        }));
    }

    /** The connections and findings of one run. */
    private final class Run {
        /** What is copied: the request, or the interrupted sync's when this one resumes it. */
        private SyncRequest asked;
        /** The sync this run resumes; null for a new one. */
        private SyncJournal.Interrupted resumed;
        private final ControlConnections control = new ControlConnections(vertx, connectTimeout);
        private final Pool sourcePool = control.to(source);
        private final Pool targetPool = control.to(target);
        private final RawConnections raw = new RawConnections(vertx, source, target, connectTimeout, maxMessageSize);
        private List<SyncedTable> tables;
        private SchemaCopy schema;
        /** The target had the source's schema already: neither section is restored. */
        private boolean schemaKept;
        private SnapshotSlot slot;
        /** The source's schema when the sync began (the first run's, for a resumed one): DDL since fails the sync. */
        private SchemaFingerprint fingerprint;
        /** When the schema was last compared with {@link #fingerprint} (System.nanoTime()). */
        private long schemaCheckedAt = System.nanoTime();
        private boolean wroteToSource;
        private SqlConnection applier;
        /** This proxy runs in dual-write already: the run may only end a sync whose switch had committed. */
        private final boolean inDualWrite;

        Run(SyncRequest request, boolean inDualWrite) {
            this.asked = request;
            this.inDualWrite = inDualWrite;
        }

        Future<Void> steps() {
            return interrupted().compose(found -> {
                resumed = found.orElse(null);
                SyncJournal.SwitchMark mark = resumed == null ? null : resumed.switchMark();
                if (mark == null) {
                    return inDualWrite ? Future.failedFuture(new IllegalStateException(NOT_DIRECT)) : sync();
                }
                Future<List<PhaseChange>> since = mark.phaseMark() == null ? Future.succeededFuture(List.of())
                        : traffic.phaseChangesSince(mark.phaseMark());
                return since.compose(changes -> afterInterruptedSwitch(InterruptedSwitch.decide(mark, changes)));
            });
        }

        /** A sync a crash interrupted in its switch: resumed, ended, or refused leaving the slot and the journal. */
        private Future<Void> afterInterruptedSwitch(InterruptedSwitch.Decision decision) {
            switch (decision.outcome()) {
                case COMPLETED -> {
                    if (!inDualWrite) {
                        return Future.failedFuture(new IllegalStateException("the fleet's phase record says the "
                                + "sync's switch to dual-write committed, and this proxy runs in phase direct: wait "
                                + "until it follows the fleet's phase (GET /exodus/migration), then POST again"));
                    }
                    progress.note(decision.explanation());
                    // close() drops what the sync made on the source and clears the journal.
                    wroteToSource = true;
                    return Future.succeededFuture();
                }
                case RESUME -> {
                    if (inDualWrite) {
                        return Future.failedFuture(new IllegalStateException(NOT_DIRECT));
                    }
                    progress.note(decision.explanation());
                    return sync();
                }
                default -> {
                    return Future.failedFuture(new IllegalStateException(decision.explanation()));
                }
            }
        }

        /** The sync itself, new or resumed: schema, rows, changes, switch. */
        private Future<Void> sync() {
            Future<ClientPrograms> located = blocking(() -> ClientPrograms.locate(settings.pgBin()));
            Future<Void> upgraded = resumed == null ? Future.succeededFuture() : SyncJournal.create(targetPool);
            return upgraded.compose(v -> {
                if (resumed != null) {
                    // The first run's request decides what is copied: the journal's tables are those.
                    asked = resumed.request();
                    progress.note("resumed the sync that was interrupted: " + resumed.copied().size()
                            + " tables copied before are kept, the others are copied again; the slot "
                            + SyncNames.SLOT + " streams the changes since its start");
                }
                return located;
            }).compose(this::checked)
                    .compose(v -> preDataWanted())
                    .compose(preData -> {
                        progress.step(SyncStep.SLOT);
                        wroteToSource = true;
                        // The slot and the journal before the pre-data section: a proxy that dies while restoring
                        // it resumes, and restores it then (one transaction: all of it or none).
                        Future<Void> started = resumed != null ? Future.succeededFuture()
                                : SourcePublications.dropWithSlot(vertx, sourcePool)
                                        .compose(x -> SourcePublications.create(sourcePool, tables))
                                        .compose(x -> SnapshotSlot.create(raw))
                                        .compose(created -> {
                                            slot = created;
                                            return SyncJournal.begin(targetPool, asked, fingerprint);
                                        });
                        return started.compose(x -> {
                            if (!preData) {
                                return Future.<Void>succeededFuture();
                            }
                            progress.step(SyncStep.PRE_DATA);
                            return targetPool.query(TARGET_SCHEMAS).execute().compose(rows -> {
                                Set<String> existing = new HashSet<>();
                                rows.forEach(row -> existing.add(row.getString(0)));
                                return blocking(() -> {
                                    schema.restorePreData(existing);
                                    return null;
                                });
                            });
                        });
                    })
                    .compose(v -> {
                        progress.enter(SyncState.COPYING);
                        progress.step(SyncStep.ROWS);
                        List<SyncedTable> left = tables;
                        if (resumed != null) {
                            left = tables.stream().filter(t -> !resumed.copied().containsKey(t.display())).toList();
                            tables.stream().filter(t -> t.holdsRows() && resumed.copied().containsKey(t.display()))
                                    .forEach(t -> progress.tableCopiedBefore(t.display()));
                        }
                        String snapshot = slot == null ? null : slot.snapshot();
                        List<SyncedTable> withRows = left.stream().filter(SyncedTable::holdsRows).toList();
                        return TableSplit.plan(sourcePool, withRows, settings, snapshot != null, progress)
                                .compose(jobs -> RowCopy.run(raw, snapshot, jobs, settings.parallelTables(), progress,
                                        this::schemaUnchangedLately));
                    })
                    .compose(v -> schemaUnchanged())
                    .compose(v -> {
                        progress.rowsDone();
                        progress.step(SyncStep.POST_DATA);
                        if (slot != null) {
                            slot.release();
                            slot = null;
                        }
                        return schemaKept ? Future.<Void>succeededFuture() : restorePostData();
                    })
                    .compose(v -> targetPool.getConnection())
                    .compose(connection -> {
                        applier = connection;
                        return connection.query("SET session_replication_role = replica; "
                                + "SET standard_conforming_strings = on").execute();
                    })
                    // The journal, not memory: the tables a resumed run copied under snapshots of their own are there.
                    .compose(v -> SyncJournal.interrupted(targetPool))
                    .compose(journal -> {
                        progress.enter(SyncState.CATCHING_UP);
                        progress.step(SyncStep.CATCH_UP);
                        SyncJournal.Interrupted run = journal.orElseThrow();
                        SlotChanges changes = new SlotChanges(sourcePool, applier, tables, run.copied(),
                                run.appliedEnd(), progress);
                        SwitchToDualWrite last = new SwitchToDualWrite(vertx, sourcePool, targetPool, changes, tables,
                                traffic, settings, progress, this::schemaUnchanged, source.url().database());
                        return last.catchUp().compose(x -> foreignKeys(last)).compose(x -> last.run());
                    })
                    .compose(v -> SyncJournal.end(targetPool))
                    .recover(this::explainedBySchemaChange);
        }

        /** Fails with the objects DDL changed on the source since the sync began; succeeds when there are none. */
        private Future<Void> schemaUnchanged() {
            if (fingerprint == null) {
                return Future.succeededFuture();
            }
            schemaCheckedAt = System.nanoTime();
            return SchemaFingerprint.read(sourcePool, asked).compose(now -> {
                List<String> changes = now.changesSince(fingerprint);
                return changes.isEmpty() ? Future.succeededFuture()
                        : Future.failedFuture(new SchemaFingerprint.Changed(changes));
            });
        }

        /** {@link #schemaUnchanged}, at most every exodus.sync.schema-check-interval: between a copy's tables. */
        private Future<Void> schemaUnchangedLately() {
            return System.nanoTime() - schemaCheckedAt < settings.schemaCheckInterval().toNanos()
                    ? Future.succeededFuture() : schemaUnchanged();
        }

        /**
         * DDL on the source makes the steps after it fail in their own words (a COPY or an applied change naming a
         * column the target lacks): the failure is told as the schema change that caused it, when one did.
         */
        private Future<Void> explainedBySchemaChange(Throwable failure) {
            if (failure instanceof SchemaFingerprint.Changed || fingerprint == null) {
                return Future.failedFuture(failure);
            }
            return schemaUnchanged().transform(check -> Future.failedFuture(
                    check.failed() && check.cause() instanceof SchemaFingerprint.Changed ? check.cause() : failure));
        }

        /**
         * The checks; nothing is written anywhere before they pass. pg_dump of the schema only reads, so it runs
         * while they do (and the version of pg_dump is read while the catalog is); a refusal still wins over the
         * dump's failure, which an older pg_dump than the source's makes.
         */
        private Future<Void> checked(ClientPrograms programs) {
            // Read before the dump: DDL between the two is seen as a change, never missed.
            Future<SchemaFingerprint> read = resumed != null && resumed.fingerprint() != null
                    ? Future.succeededFuture(resumed.fingerprint())
                    : SchemaFingerprint.read(sourcePool, asked);
            return read.compose(found -> {
                fingerprint = found;
                if (resumed != null && resumed.fingerprint() == null) {
                    progress.note("the interrupted sync's journal holds no schema fingerprint (an earlier version "
                            + "wrote it): DDL on the source before this resumption cannot be told");
                }
                return dumpedAndChecked(programs);
            });
        }

        private Future<Void> dumpedAndChecked(ClientPrograms programs) {
            schema = new SchemaCopy(programs, source, target, asked);
            Future<Void> dumped = blocking(() -> {
                schema.dumpSource();
                return null;
            });
            Future<Integer> major = blocking(programs::pgDumpMajor);
            Future<SourceCatalog.Tables> listed = SourceCatalog.tables(sourcePool, asked);
            return Future.all(listed, major)
                    .compose(both -> CapabilityCheck.run(sourcePool, targetPool, listed.result(),
                            settings, major.result()))
                    .transform(checked -> {
                        if (checked.failed() || checked.result().refused()) {
                            Throwable why = checked.failed() ? checked.cause() : new IllegalStateException(
                                    "refused before anything was written: "
                                            + String.join("; ", checked.result().refusals()));
                            return dumped.transform(x -> Future.failedFuture(why));
                        }
                        checked.result().notes().forEach(progress::note);
                        tables = listed.result().synced();
                        tables.stream().filter(SyncedTable::holdsRows)
                                .forEach(t -> progress.table(t.display(), t.estimatedRows()));
                        progress.enter(SyncState.COPYING_SCHEMA);
                        progress.step(SyncStep.SCHEMA_DUMP);
                        return dumped;
                    });
        }

        /**
         * The sync the target's journal says did not end, when its slot is still on the source; empty otherwise
         * (without the slot, the changes since its start are gone: the sync starts over).
         */
        private Future<Optional<SyncJournal.Interrupted>> interrupted() {
            return SyncJournal.interrupted(targetPool).compose(found -> found.isEmpty()
                    ? Future.succeededFuture(found)
                    : sourcePool.preparedQuery(SLOT_EXISTS).execute(Tuple.of(SyncNames.SLOT))
                            .map(rows -> rows.iterator().next().getBoolean(0) ? found : Optional.empty()));
        }

        /**
         * pg_dump's post-data section on the target. A resumed sync may have restored it before the crash, in one
         * transaction: all of it or nothing, so one index, trigger or foreign key on the tables says it is there
         * (the pre-data section makes none). Asked of the catalog rather than by comparing dumps: pg_dump of the
         * source's version may be too old to dump a newer target.
         */
        private Future<Void> restorePostData() {
            String[] names = tables.stream().map(SyncedTable::qualified).toArray(String[]::new);
            Future<Boolean> needed = resumed == null ? Future.succeededFuture(true)
                    : targetPool.preparedQuery(POST_DATA_PRESENT).execute(Tuple.of((Object) names))
                            .map(rows -> !rows.iterator().next().getBoolean(0));
            return needed.compose(restore -> !restore ? Future.<Void>succeededFuture() : blocking(() -> {
                if (resumed == null) {
                    schema.restorePostData();
                } else {
                    // Tables copied under different snapshots: their foreign keys wait for one moment (foreignKeys).
                    schema.restorePostDataButForeignKeys();
                }
                return null;
            }));
        }

        /**
         * A resumed sync's foreign keys, restored after its catch-up (ADR 0035): its tables were copied under different
         * snapshots, so a child may have been copied while its parent's copy, taken earlier, lacks the parent. Once
         * the target has every transaction that committed before the source's current WAL position, which every
         * copy's snapshot precedes, each table holds exactly those: one moment of the source, where its constraints
         * hold. Restored in one transaction, so one foreign key on the tables says a crash came after it.
         */
        private Future<Void> foreignKeys(SwitchToDualWrite last) {
            if (resumed == null || schemaKept) {
                return Future.succeededFuture();
            }
            String[] names = tables.stream().map(SyncedTable::qualified).toArray(String[]::new);
            return targetPool.preparedQuery(FOREIGN_KEYS_PRESENT).execute(Tuple.of((Object) names)).compose(rows -> {
                if (rows.iterator().next().getBoolean(0)) {
                    return Future.succeededFuture();
                }
                progress.step(SyncStep.FOREIGN_KEYS);
                return last.drainToNow()
                        .compose(v -> blocking(schema::restoreForeignKeys))
                        .compose(restored -> {
                            if (restored) {
                                progress.note("the foreign keys were restored after the catch-up: the tables were "
                                        + "copied under different snapshots");
                            }
                            progress.step(SyncStep.CATCH_UP);
                            return last.catchUp();
                        });
            });
        }

        /**
         * Whether the target needs the pre-data section: it has none of the tables. Where it has some, their schema
         * must be the source's (then it is kept as it is) or the sync is refused here, before anything is written.
         * A resumed sync's target has its own tables, or none when it died before restoring them.
         */
        private Future<Boolean> preDataWanted() {
            String[] names = tables.stream().map(SyncedTable::qualified).toArray(String[]::new);
            return targetPool.preparedQuery(EXISTING_TABLES).execute(Tuple.of((Object) names))
                    .compose(rows -> {
                        long existing = rows.iterator().next().getLong(0);
                        if (existing == 0) {
                            return Future.succeededFuture(true);
                        }
                        if (resumed != null) {
                            return Future.succeededFuture(false);
                        }
                        return blocking(schema::differenceFromTarget).compose(difference -> {
                            if (difference != null) {
                                return Future.failedFuture(new IllegalStateException("refused before anything was "
                                        + "written: the target has " + existing + " of the tables with another "
                                        + "schema: " + difference + "; empty the target, or make its schema the "
                                        + "source's"));
                            }
                            schemaKept = true;
                            progress.note("the target's schema is the source's already: kept as it is");
                            return Future.succeededFuture(false);
                        });
                    });
        }

        private <T> Future<T> blocking(Callable<T> work) {
            return vertx.executeBlocking(work, false);
        }

        Future<Void> close() {
            progress.step(SyncStep.CLEANUP);
            if (slot != null) {
                slot.release();
            }
            if (applier != null) {
                applier.close();
            }
            if (schema != null) {
                schema.close();
            }
            Future<Void> dropped = wroteToSource ? SourcePublications.dropWithSlot(vertx, sourcePool)
                    .recover(failure -> {
                        progress.note("could not drop the slot " + SyncNames.SLOT + " and the publications on the "
                                + "source (" + failure.getMessage() + "): drop them by hand, the slot keeps WAL");
                        return Future.succeededFuture();
                    }).compose(v -> SyncJournal.end(targetPool).recover(failure -> Future.succeededFuture()))
                    : Future.succeededFuture();
            return dropped.compose(v -> control.closeAll());
        }
    }
}
