package io.exodus.proxy.catchup;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.sql.Identifiers;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.CommandComplete;
import io.exodus.proxy.wire.DataRow;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
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
 * them one after the other on a connection of its own to the secondary, then deletes them and their markers. The
 * head entry blocks the ones behind it until it applies or is parked: a later transaction may depend on its rows.
 */
final class DatabaseCatchUp {
    private static final Logger LOG = Logger.getLogger(DatabaseCatchUp.class);
    private static final int BATCH = 100;

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

    DatabaseCatchUp(QueueReplay replayer, String database) {
        this.replayer = replayer;
        this.database = database;
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
                    .preparedQuery(CatchUpQueueSql.NEXT_BATCH).execute(Tuple.of(BATCH)).compose(rows -> {
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
            return park(entry, refusal, signed(entry)).compose(v -> applyFrom(batch, index + 1, alreadyApplied, finished));
        }
        return committedLiveAlready(entry).compose(committed -> {
            if (committed) {
                finished.add(entry.id());
                return applyFrom(batch, index + 1, alreadyApplied, finished);
            }
            return apply(entry).compose(outcome -> switch (outcome) {
                case APPLIED -> {
                    finished.add(entry.id());
                    connectionFailures = 0;
                    yield applyFrom(batch, index + 1, alreadyApplied, finished);
                }
                case PARKED -> applyFrom(batch, index + 1, alreadyApplied, finished);
                case RETRY -> Future.succeededFuture(Duration.ZERO);
                case LOST -> Future.failedFuture(new IllegalStateException("the connection to the " + replayer.destinationName() + " was lost"));
            });
        });
    }

    private boolean signed(QueuedTransaction entry) {
        return replayer.queue().signature().verify(entry.signature(), entry.context(), entry.stream(),
                entry.readyCount(), entry.expectedTags(), entry.commitMarker());
    }

    /** Why an entry must not run, or null: a bad signature, or a statement that would leave the entry's role. */
    private String refusal(QueuedTransaction entry) {
        if (!signed(entry)) {
            LOG.errorf("Queue entry %d of \"%s\" (role %s) has no valid signature: it was not written by an Exodus "
                    + "proxy of this migration, or exodus.replay.signing-key differs between replicas; it is parked",
                    entry.id(), database, entry.role());
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
        if (entry.commitMarker() == null) {
            return Future.succeededFuture(false);
        }
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

    private enum Outcome { APPLIED, PARKED, RETRY, LOST }

    /**
     * The session's context runs inside the transaction the entry replays in, so that a context the target refuses
     * (a role it lacks) aborts the whole entry. Sent as a query of its own ahead of the entry's, a failed context left
     * the entry to run and commit under the applier's settings: under another search_path, an unqualified name meant
     * another table. The entry's own BEGIN then only warns, and its isolation level is the applier's (the entries of a
     * database replay one at a time); an entry whose transaction runs SET TRANSACTION after a PREPARE of its context
     * is refused by PostgreSQL and parked, loudly.
     */
    private Future<Outcome> apply(QueuedTransaction entry) {
        boolean otherRole = !entry.role().equals(replayer.controlUser());
        Buffer request = Buffer.buffer(entry.stream().length + 256);
        StringBuilder before = new StringBuilder("BEGIN");
        if (otherRole) {
            before.append(";\nSET SESSION AUTHORIZATION ").append(Identifiers.quote(entry.role()));
        }
        if (!entry.context().isEmpty()) {
            before.append(";\n").append(entry.context());
        }
        FrontendMessages.appendQuery(request, before.toString());
        request.appendBytes(entry.stream());
        // The marker is written as the applier, whatever role the context or the entry set.
        FrontendMessages.appendQuery(request, (otherRole ? "RESET SESSION AUTHORIZATION;\n" : "")
                + "RESET ROLE;\nINSERT INTO exodus.replay_applied (queue_id) VALUES (" + entry.id() + ");\nCOMMIT");
        FrontendMessages.appendQuery(request, "ROLLBACK");
        FrontendMessages.appendQuery(request, "DISCARD ALL");
        int ready = 1 + entry.readyCount() + 3;
        int firstStreamPart = 1;
        int lastStreamPart = firstStreamPart + entry.readyCount() - 1;
        List<String> streamTags = new ArrayList<>();
        List<String> endTags = new ArrayList<>();
        int[] part = {0};
        // Which part answered with the first error: the context (0), the entry's own statements, or the end.
        int[] failedPart = {-1};
        Leg.Sink sink = (PgMessage message) -> {
            if (message.type() == BackendMessageType.ERROR_RESPONSE && failedPart[0] < 0) {
                failedPart[0] = part[0];
            }
            if (message.type() == BackendMessageType.READY_FOR_QUERY) {
                part[0]++;
            } else if (message.type() == BackendMessageType.COMMAND_COMPLETE) {
                String tag = CommandComplete.tag(message.body());
                if (part[0] >= firstStreamPart && part[0] <= lastStreamPart) {
                    streamTags.add(tag);
                } else if (part[0] == lastStreamPart + 1) {
                    endTags.add(tag);
                }
            }
        };
        StalledReplay watch = StalledReplay.watch(replayer, database, entry.id(), target.backend().processId());
        return target.send(request, ready, sink).andThen(done -> watch.finished()).compose(reply -> {
            if (reply.lostConnection()) {
                target = null;
                return Future.succeededFuture(Outcome.LOST);
            }
            boolean committed = endTags.contains("COMMIT") && reply.error() == null;
            if (!committed) {
                boolean byItsStatements = failedPart[0] >= firstStreamPart && failedPart[0] <= lastStreamPart;
                return failedApply(entry, reply, byItsStatements);
            }
            if (!streamTags.equals(entry.expectedTags())) {
                replayer.divergence(Divergence.Kind.ROW_COUNT, database, entry.id(),
                        String.join(", ", entry.expectedTags()), String.join(", ", streamTags));
            }
            return Future.succeededFuture(Outcome.APPLIED);
        });
    }

    /**
     * @param byItsStatements the entry's own statements failed, not its context (a role or setting the target lacks,
     *                        which an operator can add) nor its commit
     */
    private Future<Outcome> failedApply(QueuedTransaction entry, LegReply reply, boolean byItsStatements) {
        replayer.failed();
        String error = reply.error() == null ? "the transaction did not commit"
                : reply.error().sqlState() + " " + reply.error().message();
        int attempts = entry.attempts() + 1;
        boolean again = !byItsStatements
                || ReplayErrors.mayPassLater(reply.error() == null ? null : reply.error().sqlState());
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
        return ready.compose(v -> replayer.queue().connections().to(replayer.queue().destination(), database)
                .preparedQuery(CatchUpQueueSql.APPLIED_AMONG).execute(Tuple.of(ids)).map(rows -> {
                    Set<Long> applied = new HashSet<>();
                    rows.forEach(row -> applied.add(row.getLong(0)));
                    return applied;
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
