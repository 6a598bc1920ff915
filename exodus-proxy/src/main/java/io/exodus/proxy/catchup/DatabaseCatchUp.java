package io.exodus.proxy.catchup;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The replay of one database's queue: takes the replayer's lock on the source, reads the oldest entries, applies
 * them one after the other on a connection of its own to the secondary, several to a write ({@link PipelinedApply}),
 * then deletes them and their markers. The head entry blocks the ones behind it until it applies or is parked: a later
 * transaction may depend on its rows.
 */
final class DatabaseCatchUp {
    private static final Logger LOG = Logger.getLogger(DatabaseCatchUp.class);
    private static final int BATCH = 100;
    /**
     * About the most bytes of entries' statements one pipeline holds (one entry is sent whatever its size): past a few
     * round trips' worth of small transactions, a longer pipeline saves nothing and only holds memory.
     */
    private static final long PIPELINE_BYTES = 1024 * 1024;

    private final QueueReplay replayer;
    private final String database;
    private Leg target;
    private boolean oldMarkersPurged;
    private boolean running;
    private boolean scheduled;
    private int connectionFailures;
    private boolean closed;
    /** Whether this proxy held the queue's lock at the last round. */
    private boolean replaying;
    private final QueueVacuum vacuum;

    DatabaseCatchUp(QueueReplay replayer, String database) {
        this.replayer = replayer;
        this.database = database;
        this.vacuum = new QueueVacuum(database,
                () -> replayer.queue().connections().to(replayer.queue().home(), database));
    }

    /** Runs a round now unless one runs or is scheduled. */
    void kick() {
        if (!running && !scheduled && !closed) {
            replayer.context().runOnContext(v -> round());
        }
    }

    private void round() {
        if (running || closed || replayer.stopped()) {
            return;
        }
        running = true;
        Future<Duration> next;
        try {
            next = replayRound();
        } catch (RuntimeException failure) {
            next = Future.failedFuture(failure);
        }
        next.onComplete(result -> {
            running = false;
            Duration delay = result.succeeded() ? result.result() : failedRound(result.cause());
            if (delay != null && !closed) {
                scheduled = true;
                replayer.vertx().setTimer(Math.max(1, delay.toMillis()), id -> {
                    scheduled = false;
                    round();
                });
            }
        });
    }

    private Duration failedRound(Throwable cause) {
        connectionFailures++;
        replayer.failed();
        Duration wait = replayer.backoff().after(connectionFailures);
        LOG.warnf("Replay of the queue of \"%s\" failed (%s); next try in %d ms", database, cause.getMessage(),
                wait.toMillis());
        return wait;
    }

    /** One round; completes with when to run the next one, or null to wait for a kick (the queue is empty). */
    private Future<Duration> replayRound() {
        return lock().compose(held -> {
            if (!held) {
                // Another proxy replays this database; the polls show its progress.
                return Future.succeededFuture((Duration) null);
            }
            return replayer.queue().connections().to(replayer.queue().home(), database)
                    .preparedQuery(CatchUpQueueSql.NEXT_BATCH).execute(Tuple.of(Math.max(BATCH,
                            replayer.pipelineDepth()))).compose(rows -> {
                        List<QueuedTransaction> batch = new ArrayList<>();
                        rows.forEach(row -> batch.add(QueuedTransaction.of(row)));
                        if (batch.isEmpty()) {
                            connectionFailures = 0;
                            replayer.queue().pollAll();
                            return Future.succeededFuture((Duration) null);
                        }
                        QueuedTransaction head = batch.get(0);
                        if (head.waitSeconds() > 0) {
                            return Future.succeededFuture(Duration.ofMillis((long) (head.waitSeconds() * 1000) + 1));
                        }
                        return replayBatch(batch);
                    });
        });
    }

    private Future<Boolean> lock() {
        return replayer.locks().tryLock(database).map(held -> {
            if (held && !replaying) {
                LOG.infof("Replaying the queue of database \"%s\" to the %s", database, replayer.destinationName());
            }
            replaying = held;
            return held;
        });
    }

    private Future<Duration> replayBatch(List<QueuedTransaction> batch) {
        return openTarget().compose(leg -> markers(batch)).compose(done -> {
            List<Long> finished = new ArrayList<>();
            return applyFrom(batch, 0, done, finished).compose(next -> forget(finished).map(v -> {
                replayer.applied(finished.size() - (int) batch.stream().filter(e -> done.contains(e.id())).count());
                // Done with the batch: the next round reads the next one, or finds the queue empty.
                return next == null ? Duration.ZERO : next;
            }));
        });
    }

    /** Applies entries from index on; completes with a delay when it had to stop, null when all are done. */
    private Future<Duration> applyFrom(List<QueuedTransaction> batch, int index, Set<Long> alreadyApplied,
            List<Long> finished) {
        if (index >= batch.size() || closed) {
            return Future.succeededFuture(null);
        }
        QueuedTransaction entry = batch.get(index);
        if (alreadyApplied.contains(entry.id())) {
            finished.add(entry.id());
            return applyFrom(batch, index + 1, alreadyApplied, finished);
        }
        String refusal = refusal(entry);
        if (refusal != null) {
            boolean signed = signed(entry);
            if (!signed) {
                LOG.errorf("Queue entry %d of \"%s\" (role %s) has no valid signature: it was not written by an "
                        + "Exodus proxy of this migration, or exodus.replay.signing-key differs between replicas; it "
                        + "is parked", entry.id(), database, entry.role());
            }
            return park(entry, refusal, signed).compose(v -> applyFrom(batch, index + 1, alreadyApplied, finished));
        }
        if (entry.commitMarker() != null) {
            return committedLiveAlready(entry).compose(committed -> {
                if (committed) {
                    finished.add(entry.id());
                    return applyFrom(batch, index + 1, alreadyApplied, finished);
                }
                return applyPipeline(batch, index, List.of(entry), alreadyApplied, finished);
            });
        }
        return applyPipeline(batch, index, pipelineFrom(batch, index, alreadyApplied), alreadyApplied, finished);
    }

    /**
     * The entries from index on that can go in one pipeline with it: up to the configured depth and about
     * {@link #PIPELINE_BYTES}, stopping before one that needs a word with a server first (applied already, refused,
     * or a live COMMIT's marker to look up on the secondary).
     */
    private List<QueuedTransaction> pipelineFrom(List<QueuedTransaction> batch, int index, Set<Long> alreadyApplied) {
        List<QueuedTransaction> pipeline = new ArrayList<>();
        long bytes = 0;
        for (int i = index; i < batch.size() && pipeline.size() < replayer.pipelineDepth(); i++) {
            QueuedTransaction entry = batch.get(i);
            if (!pipeline.isEmpty() && (bytes + entry.stream().length > PIPELINE_BYTES
                    || alreadyApplied.contains(entry.id()) || entry.commitMarker() != null || refusal(entry) != null)) {
                break;
            }
            pipeline.add(entry);
            bytes += entry.stream().length;
        }
        return pipeline;
    }

    /**
     * Applies the pipeline, then goes on after its last entry; or, from its first entry that did not commit, does what
     * a failed apply of that entry always did: the ones behind it in the pipeline were not applied, and are sent again
     * after it.
     */
    private Future<Duration> applyPipeline(List<QueuedTransaction> batch, int index, List<QueuedTransaction> entries,
            Set<Long> alreadyApplied, List<Long> finished) {
        return apply(entries).compose(answers -> {
            for (int i = 0; i < answers.size(); i++) {
                PipelinedApply.Answer answer = answers.get(i);
                switch (answer.result()) {
                    case COMMITTED -> {
                        finished.add(answer.entry().id());
                        connectionFailures = 0;
                        if (!answer.streamTags().equals(answer.entry().expectedTags())) {
                            replayer.divergence(Divergence.Kind.ROW_COUNT, database, answer.entry().id(),
                                    String.join(", ", answer.entry().expectedTags()),
                                    String.join(", ", answer.streamTags()));
                        }
                    }
                    case FAILED -> {
                        int next = index + i + 1;
                        return failedApply(answer.entry(), answer.error(), answer.byItsStatements())
                                .compose(outcome -> outcome == Outcome.PARKED
                                        ? applyFrom(batch, next, alreadyApplied, finished)
                                        : Future.succeededFuture(Duration.ZERO));
                    }
                    case BEHIND_A_FAILURE -> throw new IllegalStateException("an entry behind a failure comes after it");
                }
            }
            return applyFrom(batch, index + answers.size(), alreadyApplied, finished);
        });
    }

    private boolean signed(QueuedTransaction entry) {
        return replayer.queue().signature().verify(entry.signature(), entry.context(), entry.stream(),
                entry.readyCount(), entry.expectedTags(), entry.commitMarker());
    }

    /** Why an entry must not run, or null: a bad signature, or a statement that would leave the entry's role. */
    private String refusal(QueuedTransaction entry) {
        if (!signed(entry)) {
            return "the entry's signature does not match: not written by an Exodus proxy with this key";
        }
        if (!entry.role().equals(replayer.controlUser())) {
            String text = (entry.context() + new String(entry.stream(), StandardCharsets.UTF_8))
                    .toLowerCase(Locale.ROOT);
            if (text.contains("session authorization")) {
                return "the transaction changes SESSION AUTHORIZATION, which the replayer cannot run on behalf of "
                        + "role " + entry.role();
            }
        }
        return null;
    }

    /**
     * For an entry whose transaction took part live on the secondary and whose COMMIT there had no known outcome:
     * whether the secondary committed it after all, which its commit marker tells.
     */
    private Future<Boolean> committedLiveAlready(QueuedTransaction entry) {
        List<String> found = new ArrayList<>();
        Leg.Sink sink = message -> {
            if (message.type() == BackendMessageType.DATA_ROW) {
                found.add("marker");
            }
        };
        return target.send(FrontendMessages.query("SELECT 1 FROM exodus.commit_markers WHERE id = "
                + entry.commitMarker()), 1, sink).compose(reply -> {
                    if (reply.lostConnection()) {
                        return Future.failedFuture(new IllegalStateException("the connection to the " + replayer.destinationName() + " was lost"));
                    }
                    if (reply.failed()) {
                        return park(entry, "cannot tell whether the " + replayer.destinationName() + " committed the transaction: "
                                + reply.error().message()).map(v -> true);
                    }
                    return Future.succeededFuture(!found.isEmpty());
                });
    }

    private enum Outcome { PARKED, RETRY }

    /** Sends the pipeline in one write; each entry's answer, in order. */
    private Future<List<PipelinedApply.Answer>> apply(List<QueuedTransaction> entries) {
        PipelinedApply pipeline = new PipelinedApply(entries);
        StalledReplay watch = StalledReplay.watch(replayer, database, pipeline, target.backend().processId());
        return target.send(pipeline.request(replayer.controlUser()), pipeline.readyCount(), pipeline.sink())
                .andThen(done -> watch.finished()).compose(reply -> {
                    if (reply.lostConnection()) {
                        target = null;
                        return Future.failedFuture(new IllegalStateException("the connection to the "
                                + replayer.destinationName() + " was lost"));
                    }
                    // Not durable, the entries stay queued: the next round finds their markers, and flushes them.
                    String notDurable = pipeline.notDurable();
                    return notDurable != null ? Future.failedFuture(new IllegalStateException(notDurable))
                            : Future.succeededFuture(pipeline.answers());
                });
    }

    /**
     * @param failure         the entry's first error, or null: its COMMIT did not happen
     * @param byItsStatements the entry's own statements failed, not its context (a role or setting the target lacks,
     *                        which an operator can add) nor its commit
     */
    private Future<Outcome> failedApply(QueuedTransaction entry, ErrorResponse failure, boolean byItsStatements) {
        replayer.failed();
        String error = failure == null ? "the transaction did not commit" : failure.sqlState() + " " + failure.message();
        int attempts = entry.attempts() + 1;
        boolean again = !byItsStatements || ReplayErrors.mayPassLater(failure == null ? null : failure.sqlState());
        if (attempts >= replayer.maxAttempts() || !again) {
            replayer.divergence(Divergence.Kind.SECONDARY_ERROR, database, entry.id(), "committed on the primary",
                    error + (again ? " (parked after " + attempts + " attempts)"
                            : " (parked at once: the " + replayer.destinationName() + " refuses it whatever the try)"));
            return park(entry, error).map(Outcome.PARKED);
        }
        Duration wait = replayer.backoff().after(attempts);
        LOG.warnf("Replay of queued transaction %d of \"%s\" failed on the %s (attempt %d of %d): %s; next try "
                + "in %d ms", entry.id(), database, replayer.destinationName(), attempts, replayer.maxAttempts(), error,
                wait.toMillis());
        return replayer.queue().connections().to(replayer.queue().home(), database)
                .preparedQuery(CatchUpQueueSql.RETRY_LATER)
                .execute(Tuple.of(entry.id(), error, wait.toMillis() / 1000.0)).map(Outcome.RETRY);
    }

    private Future<Void> park(QueuedTransaction entry, String why) {
        return park(entry, why, true);
    }

    /** @param markTables false for an entry whose signature failed: its table list is not to be trusted either */
    private Future<Void> park(QueuedTransaction entry, String why, boolean markTables) {
        LOG.errorf("Queued transaction %d of \"%s\" is parked and will not be replayed: %s; it runs: %s", entry.id(),
                database, why, String.join("; ", entry.statementTexts(200)));
        for (String table : markTables ? entry.tables() : List.<String>of()) {
            replayer.queue().markDivergent(database, table, "queued transaction " + entry.id() + " was parked: " + why);
        }
        return replayer.queue().connections().to(replayer.queue().home(), database)
                .preparedQuery(CatchUpQueueSql.PARK).execute(Tuple.of(entry.id(), why)).mapEmpty();
    }

    /** The ids of the batch the secondary applied already (a crash between apply and delete). */
    private Future<Set<Long>> markers(List<QueuedTransaction> batch) {
        Long[] ids = batch.stream().map(QueuedTransaction::id).toArray(Long[]::new);
        Future<Void> tables = replayer.queue().createMarkers(replayer.queue().state(database));
        Future<Void> ready = oldMarkersPurged ? tables
                : tables.compose(v -> replayer.queue().connections().to(replayer.queue().destination(), database)
                        .query(CatchUpQueueSql.PURGE_OLD_MARKERS).execute())
                        .<Void>mapEmpty().onSuccess(v -> oldMarkersPurged = true);
        var secondary = replayer.queue().connections().to(replayer.queue().destination(), database);
        return ready.compose(v -> secondary.preparedQuery(CatchUpQueueSql.APPLIED_AMONG).execute(Tuple.of(ids))
                .compose(rows -> {
                    Set<Long> applied = new HashSet<>();
                    rows.forEach(row -> applied.add(row.getLong(0)));
                    // A pipeline whose connection was lost before its flush may have left these commits unflushed:
                    // they are flushed before their entries leave the queue (read first, so that all those read are).
                    return applied.isEmpty() ? Future.succeededFuture(applied)
                            : secondary.query(CatchUpQueueSql.FLUSH_APPLIES).execute().map(flushed -> applied);
                })).onFailure(failure -> {
                    if (failure instanceof PgException pg && SqlState.UNDEFINED_TABLE.equals(pg.getSqlState())) {
                        // Dropped, or lost with the target's last commits (a crash with synchronous_commit off, a
                        // restore from an older backup): the applies it recorded went with it, so it is made again,
                        // empty, before the next round.
                        LOG.warnf("The %s's commit markers of \"%s\" are gone; Exodus makes them again",
                                replayer.destinationName(), database);
                        replayer.queue().commitMarkersLost(database);
                    }
                });
    }

    /** Deletes applied entries on the source, then their markers on the secondary. */
    private Future<Void> forget(List<Long> finished) {
        if (finished.isEmpty()) {
            return Future.succeededFuture();
        }
        Long[] ids = finished.toArray(Long[]::new);
        return replayer.queue().connections().to(replayer.queue().home(), database)
                .preparedQuery(CatchUpQueueSql.DELETE_APPLIED).execute(Tuple.of(ids))
                .onSuccess(deleted -> vacuum.deleted())
                .compose(v -> replayer.queue().connections().to(replayer.queue().destination(), database)
                        .preparedQuery(CatchUpQueueSql.FORGET_MARKERS).execute(Tuple.of(ids)))
                .mapEmpty();
    }

    private Future<Leg> openTarget() {
        if (target != null && target.isOpen()) {
            return Future.succeededFuture(target);
        }
        return replayer.destinationConnector().open(replayer.controlLogin(database)).map(connection -> {
            Leg leg = new Leg(connection, replayer.maxMessageSize());
            leg.onLost(why -> {
                if (target == leg) {
                    target = null;
                }
            });
            leg.start();
            target = leg;
            return leg;
        });
    }

    void close() {
        closed = true;
        if (replayer.context() != null) {
            replayer.context().runOnContext(v -> {
                if (target != null) {
                    target.close();
                }
                replayer.locks().unlock(database);
            });
        }
    }
}
