package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.TableShape;
import io.exodus.proxy.consistency.TableShapeQuery;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.wire.DataRow;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One writing request, run as ADR 0004 says: on the primary first, then on the secondary while the primary's
 * transaction still holds the row locks it took, so that concurrent writers of a row reach the secondary in the
 * primary's order, whichever proxy carried them. An autocommit write is wrapped in {@code BEGIN … COMMIT} on both
 * legs for that (unless {@code wrap} is off, for statements that cannot run in a transaction block). The primary's
 * answer is held until the secondary has answered and the policy has decided.
 */
final class LockstepWrite {
    private static final String ABORT_SQL =
            "/* Exodus: the other database failed, so this transaction must not commit */ SELECT 1/0";

    /**
     * The part of the request that Flushes sent to the primary before its Sync.
     *
     * @param sent    how many of the plan's messages went ahead
     * @param outcome what they did there: command tags, captured rows
     */
    record Ahead(int sent, AheadOfSync.Outcome outcome) {
    }

    private final DualWriteRelay relay;
    private final UnitPlan plan;
    /** How many of the plan's messages a Flush already sent to the primary. */
    private final int ahead;
    /** What those did on the primary, or null when none were sent ahead. */
    private final AheadOfSync.Outcome aheadOutcome;
    private final boolean wrapAllowed;
    private final DualWriteServices dual;
    private final QueueHandoff queue;
    private final SecondaryTransaction secondaryTransaction;
    private boolean wrap;
    private ConsistencyPolicy policy;

    /** @param sentAhead the part of the request a Flush sent ahead of its Sync, or null */
    LockstepWrite(DualWriteRelay relay, UnitPlan plan, Ahead sentAhead, boolean wrapAllowed, DualWriteServices dual) {
        this.relay = relay;
        this.plan = plan;
        this.ahead = sentAhead == null ? 0 : sentAhead.sent();
        this.aheadOutcome = sentAhead == null ? null : sentAhead.outcome();
        this.wrapAllowed = wrapAllowed;
        this.dual = dual;
        this.queue = relay.queue();
        this.secondaryTransaction = relay.secondaryTransaction();
    }

    Future<Void> run() {
        return queue.replayReady().compose(v -> relay.secondaryConnection().reconnectIfDue())
                .compose(v -> onPrimary());
    }

    private Future<Void> onPrimary() {
        Leg primary = relay.primary();
        relay.startTransactionIfIdle();
        policy = relay.currentPolicy();
        wrap = wrapAllowed && primary.transactionStatus() == 'I';
        boolean failsClient = policy.secondaryFailureFailsClient(relay.secondaryIsTarget());
        if (primary.transactionStatus() == 'E') {
            // The primary refuses everything until ROLLBACK; let it say so.
            return relay.primaryAnswersClient(plan, ahead).mapEmpty();
        }
        boolean queueable = wrapAllowed && queue.canQueue() && queue.recording() != null;
        if (queueable && !queue.queueTransaction() && queue.mustQueue()) {
            // Earlier transactions wait in the queue: this one must not reach the secondary before them.
            queue.queueCurrentTransaction("earlier transactions wait in the queue");
        }
        boolean secondaryReady = !queue.queueTransaction() && relay.secondaryUsable()
                && (primary.transactionStatus() == 'I' || secondaryTransaction.takesPart());
        if (failsClient && queue.mustQueue()) {
            return refuseWithoutSecondary(ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                    "the target database still has transactions queued for replay, and the consistency policy "
                            + policy.configName() + " does not let a write overtake them")
                    .withHint("Retry when the replay queue has drained (GET /exodus/migration shows its depth)."));
        }
        if (!secondaryReady && failsClient) {
            return refuseWithoutSecondary(secondaryTransaction.deferredFailure());
        }
        if (!secondaryReady && queueable) {
            queue.queueCurrentTransaction(relay.secondaryUsable() ? "the target does not take part in the transaction"
                    : "no connection to the target");
        }
        SecondaryRequests.PrimaryRequest request = relay.requests().primary(plan, ahead,
                primary.unnamedStatementLive(), wrap);
        Buffer toPrimary = request.buffer();
        if (wrap) {
            toPrimary = FrontendMessages.query("BEGIN").appendBuffer(toPrimary);
        }
        HeldReply held = new HeldReply(0);
        PrimaryRowImageFilter filter = request.expectations() == null ? null
                : new PrimaryRowImageFilter(held, request.expectations());
        Leg.Sink sink = filter == null ? held : filter;
        if (wrap) {
            sink = HeldReply.afterFirstReadyForQuery(sink);
        }
        return primary.send(toPrimary, wrap ? 2 : 1, sink).compose(p -> {
            if (p.lostConnection()) {
                return Future.succeededFuture();
            }
            if (p.failed()) {
                if (wrap) {
                    return primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD)
                            .map(r -> reply(held.withFinalStatus((byte) 'I')));
                }
                return Future.succeededFuture(reply(held.asIs()));
            }
            if (!secondaryReady && !queue.queueTransaction()) {
                relay.divergence(Divergence.Kind.NOT_MIRRORED, plan, p, null);
                if (queue.replays()) {
                    queue.markDivergent(io.exodus.proxy.sql.WrittenTables.in(plan.statementText()),
                            "the target missed a write and the replay queue could not take it (full, or not usable)");
                }
                if (policy.pinsSessionAfterSecondaryFailure()) {
                    // The target missed a write of this session: it must not see the session's later ones first.
                    relay.secondaryConnection().pinToPrimary();
                }
                return finishOnPrimaryOnly(held);
            }
            if (filter != null && filter.overflowed() || aheadOutcome != null && aheadOutcome.overflowed()) {
                return onSecondary(p, held, List.of(), null);
            }
            List<PrimaryRowImageFilter.Capture> captures = new ArrayList<>();
            if (aheadOutcome != null) {
                captures.addAll(aheadOutcome.captures());
            }
            if (filter != null) {
                captures.addAll(filter.captures());
            }
            return shapesOf(captures).compose(shapes -> onSecondary(p, held, captures, shapes));
        });
    }

    private Future<Void> onSecondary(LegReply p, HeldReply held, List<PrimaryRowImageFilter.Capture> captures,
            Map<Integer, TableShape> shapes) {
        UnitPlan secondaryPlan = plan;
        if (plan.usesRowImage() && shapes == null) {
            // Too many rows to keep, or rows of no table (a view): the secondary runs the text; if the text has
            // values that differ per database, the check below says so; column defaults it cannot see.
            secondaryPlan = plan.withoutRowImage();
            dual.divergences().nondeterministic(plan.fingerprint(), "the INSERT's rows were too many to copy (or of "
                    + "no table), so the target ran its text: generated column values may differ");
        }
        UncopiedValues.report(plan, secondaryPlan, dual);
        List<String> primaryTags = withoutBegin(p.commandTags());
        if (aheadOutcome != null && !aheadOutcome.commandTags().isEmpty()) {
            List<String> all = new ArrayList<>(aheadOutcome.commandTags());
            all.addAll(primaryTags);
            primaryTags = all;
        }
        io.exodus.proxy.catchup.TransactionRecording recording = wrapAllowed ? queue.recording() : null;
        SecondaryRequests.SecondaryRequest request = relay.requests().secondary(secondaryPlan, captures,
                shapes == null ? Map.of() : shapes, primaryTags, recording == null ? null : recording.preparedHere());
        if (recording != null) {
            recording.add(wrap ? FrontendMessages.query("BEGIN").appendBuffer(request.replay()) : request.replay(),
                    wrap ? 2 : 1, wrap ? withBegin(request.expectedTags()) : request.expectedTags(), true);
            recording.wrote(plan.statementText());
            relay.temporaryTables().refuseIfWritten(plan.statementText(), recording);
        }
        if (queue.queueTransaction()) {
            return finishOnPrimaryOnly(held);
        }
        Leg secondary = relay.secondary();
        if (secondary == null || !secondary.isOpen()) {
            return onSecondaryFailure(p, LegReply.lost("the connection to the target is gone"), held);
        }
        Buffer toSecondary = request.buffer();
        if (wrap) {
            toSecondary = FrontendMessages.query("BEGIN").appendBuffer(toSecondary);
        }
        boolean behind = wrapAllowed && !wrap;
        Future<LegReply> applied = behind ? secondary.sendLater(toSecondary, 1, Leg.DISCARD)
                : secondary.send(toSecondary, wrap ? 2 : 1, Leg.DISCARD);
        if (behind) {
            // Inside an explicit transaction the client need not wait: the secondary applies the statement behind
            // the primary (its connection keeps the order), and the COMMIT waits until it has caught up, which is
            // what keeps other writers of these rows behind this transaction on both databases. Nothing waits for
            // it before the transaction ends, so it is written with the transaction's next request that is.
            secondaryTransaction.joined(true);
            applied.onSuccess(s -> {
                if (s.failed() || !secondaryTags(s.commandTags()).equals(request.expectedTags())) {
                    Divergence.Kind kind = kindOf(s);
                    secondaryTransaction.failedBehind(kind, plan, p, s, clientError(kind, p, s));
                }
            });
            reply(held.asIs());
            return Future.succeededFuture();
        }
        return applied.compose(s -> {
            if (s.failed() || !secondaryTags(s.commandTags()).equals(request.expectedTags())) {
                return onSecondaryFailure(p, s, held);
            }
            secondaryTransaction.joined(true);
            if (wrap) {
                return relay.commits().commitWrapped(held, plan);
            }
            reply(held.asIs());
            return Future.succeededFuture();
        });
    }

    private static Divergence.Kind kindOf(LegReply s) {
        return s.lostConnection() ? Divergence.Kind.SECONDARY_LOST
                : s.failed() ? Divergence.Kind.SECONDARY_ERROR : Divergence.Kind.ROW_COUNT;
    }

    private Future<Void> onSecondaryFailure(LegReply p, LegReply s, HeldReply held) {
        Divergence.Kind kind = kindOf(s);
        if (wrapAllowed && queue.recording() != null && queue.canQueue()) {
            // The whole transaction (this statement included, it is recorded) reaches the secondary through the queue.
            // A lost secondary is no divergence yet; a secondary that answered differently is one, replay or not.
            if (kind != Divergence.Kind.SECONDARY_LOST) {
                relay.divergence(kind, plan, p, s);
            }
            queue.queueCurrentTransaction("the target answered " + kind.tag());
            return finishOnPrimaryOnly(held);
        }
        relay.divergence(kind, plan, p, s);
        Leg primary = relay.primary();
        Leg secondary = relay.secondary();
        if (policy.secondaryFailureFailsClient(relay.secondaryIsTarget())) {
            ErrorResponse error = clientError(kind, p, s);
            Buffer closes = ReplySynthesizer.closeNamedStatements(plan.messages());
            if (closes != null) {
                primary.send(closes, 1, Leg.DISCARD);
            }
            if (wrap) {
                secondaryTransaction.drop();
                return primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD)
                        .map(r -> reply(ReplySynthesizer.failure(error, (byte) 'I')));
            }
            if (secondary != null && secondary.isOpen() && secondary.transactionStatus() == 'T') {
                secondary.send(FrontendMessages.query(ABORT_SQL), 1, Leg.DISCARD);
            }
            return primary.send(FrontendMessages.query(ABORT_SQL), 1, Leg.DISCARD)
                    .map(r -> reply(ReplySynthesizer.failure(error, (byte) 'E')));
        }
        secondaryTransaction.drop();
        if (policy.pinsSessionAfterSecondaryFailure()) {
            relay.secondaryConnection().pinToPrimary();
        }
        return finishOnPrimaryOnly(held);
    }

    /** The secondary takes no part: an autocommit write commits on the primary alone, as the policy allows. */
    private Future<Void> finishOnPrimaryOnly(HeldReply held) {
        if (!wrap) {
            reply(held.asIs());
            return Future.succeededFuture();
        }
        boolean queued = queue.queueTransaction();
        String commit = queued ? queue.queuedCommitSql(plan.fingerprint()) : "COMMIT";
        return relay.primary().send(FrontendMessages.query(commit), 1, Leg.DISCARD).map(c -> {
            if (!c.failed() && queued) {
                queue.queuedTransactionCommitted();
            }
            if (c.failed()) {
                Buffer closes = ReplySynthesizer.closeNamedStatements(plan.messages());
                if (closes != null) {
                    relay.primary().send(closes, 1, Leg.DISCARD);
                }
                reply(ReplySynthesizer.failure(c.error(), (byte) 'I'));
            } else {
                reply(held.withFinalStatus((byte) 'I'));
            }
            return null;
        });
    }

    /** Under a policy that needs the secondary, a write it cannot get is refused before it runs anywhere. */
    private Future<Void> refuseWithoutSecondary(ErrorResponse earlierFailure) {
        ErrorResponse error = earlierFailure != null ? earlierFailure : ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                "the target database is unavailable, and the consistency policy " + policy.configName()
                        + " does not let a write commit without it")
                .withHint("Retry when the target is back, or switch exodus.migration.policy to one that lets the "
                        + "source go on alone (old-authoritative, both-required, best-effort).");
        Leg primary = relay.primary();
        // Nothing of the request runs: the error comes first, so the driver takes none of its statements for parsed.
        if (primary.transactionStatus() == 'I') {
            reply(ReplySynthesizer.failure(error, (byte) 'I'));
            return Future.succeededFuture();
        }
        return primary.send(FrontendMessages.query(ABORT_SQL), 1, Leg.DISCARD)
                .map(r -> reply(ReplySynthesizer.failure(error, (byte) 'E')));
    }

    private ErrorResponse clientError(Divergence.Kind kind, LegReply p, LegReply s) {
        String because = "; the transaction is rolled back on both databases (policy " + policy.configName() + ")";
        return switch (kind) {
            case SECONDARY_ERROR -> new ErrorResponse("ERROR", s.error().sqlState(),
                    s.error().message() + " (on the target)", s.error().detail(),
                    "Exodus ran the statement on the source and the target; the target refused it" + because + ".");
            case ROW_COUNT -> ErrorResponse.error(SqlState.INTERNAL_ERROR,
                    "the target changed other rows than the source (" + String.join(", ", secondaryTags(s.commandTags()))
                            + " vs " + String.join(", ", withoutBegin(p.commandTags())) + ")" + because)
                    .withHint("The databases differ in content; compare the table before going on.");
            default -> ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                    "the connection to the target was lost while it applied the write" + because);
        };
    }

    /** Looks up the catalog facts of the tables the captured rows belong to: null when a table cannot be found. */
    private Future<Map<Integer, TableShape>> shapesOf(List<PrimaryRowImageFilter.Capture> captures) {
        if (captures.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        Map<Integer, TableShape> shapes = new HashMap<>();
        Future<Void> chain = Future.succeededFuture();
        for (PrimaryRowImageFilter.Capture capture : captures) {
            if (capture.rows().isEmpty()) {
                continue;
            }
            int table = SecondaryRequests.tableOf(capture);
            if (table == 0) {
                return Future.succeededFuture(null);
            }
            chain = chain.compose(v -> shapeOf(table).map(shape -> {
                if (shape != null) {
                    shapes.put(table, shape);
                }
                return null;
            }));
        }
        return chain.map(v -> {
            for (PrimaryRowImageFilter.Capture capture : captures) {
                if (!capture.rows().isEmpty() && !shapes.containsKey(SecondaryRequests.tableOf(capture))) {
                    return null;
                }
            }
            return shapes;
        });
    }

    private Future<TableShape> shapeOf(int table) {
        String key = relay.primary().database() + "/" + relay.databaseName() + "/" + table;
        TableShape known = dual.tableShapes().get(key);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        List<List<String>> rows = new ArrayList<>();
        Leg.Sink collect = (PgMessage message) -> {
            if (message.type() == 'D') {
                List<String> row = new ArrayList<>();
                for (byte[] value : DataRow.decode(message.body())) {
                    row.add(value == null ? null : new String(value, StandardCharsets.UTF_8));
                }
                rows.add(row);
            }
        };
        return relay.primary().send(FrontendMessages.query(TableShapeQuery.sql(table)), 1, collect).map(reply -> {
            if (reply.failed() || rows.isEmpty()) {
                return null;
            }
            TableShape shape = TableShape.fromRows(rows);
            dual.tableShapes().put(key, shape);
            return shape;
        });
    }

    private Void reply(Buffer bytes) {
        relay.toClient(bytes);
        return null;
    }

    private List<String> withoutBegin(List<String> tags) {
        return wrap && !tags.isEmpty() && tags.get(0).equals("BEGIN") ? tags.subList(1, tags.size()) : tags;
    }

    private List<String> secondaryTags(List<String> tags) {
        return withoutBegin(tags);
    }

    private static List<String> withBegin(List<String> tags) {
        List<String> all = new ArrayList<>(tags.size() + 1);
        all.add("BEGIN");
        all.addAll(tags);
        return all;
    }

}
