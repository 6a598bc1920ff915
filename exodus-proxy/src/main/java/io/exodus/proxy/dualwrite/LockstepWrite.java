package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.catchup.TransactionRecording;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.TableShape;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.sql.DatabaseDrop;
import io.exodus.proxy.sql.MissingIndexDrop;
import io.exodus.proxy.sql.PartitionDetach;
import io.exodus.proxy.sql.TransactionBlockRules;
import io.exodus.proxy.sql.TransactionVerb;
import io.exodus.proxy.sql.WrittenTables;
import io.exodus.proxy.wire.Bind;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.Parse;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One writing request, run as ADR 0004 says: on the primary first, then on the secondary while the primary's
 * transaction still holds the row locks it took, so that concurrent writers of a row reach the secondary in the
 * primary's order, whichever proxy carried them. An autocommit write is wrapped in {@code BEGIN … COMMIT} on both
 * legs for that (unless {@code wrap} is off, for statements that cannot run in a transaction block). The primary's
 * answer is held until the secondary has answered and the policy has decided.
 */
final class LockstepWrite {
    /**
     * The part of the request that Flushes sent to the primary before its Sync.
     *
     * @param sent    how many of the plan's messages went ahead
     * @param outcome what they did there: command tags, captured rows
     */
    record Ahead(int sent, AheadOfSync.Outcome outcome) {
    }

    private final SessionParts parts;
    private final SessionContext context;

    private final CurrentTransaction transaction;

    private final Legs legs;
    /** The request; without its row image when the primary says a cursor's row image would change its answer. */
    private UnitPlan plan;
    /** How many of the plan's messages a Flush already sent to the primary. */
    private final int ahead;
    /** What those did on the primary, or null when none were sent ahead. */
    private final AheadOfSync.Outcome aheadOutcome;
    private final boolean wrapAllowed;
    private final DualWriteServices dual;
    private final QueueHandoff queue;
    private final SecondaryTransaction secondaryTransaction;
    private boolean wrap;
    /** The primary answered the write with an error. */
    private boolean primaryFailed;
    /** The request's one transaction verb when it is a PREPARE, COMMIT or ROLLBACK PREPARED; read at first need. */
    private TransactionVerb verb;
    private ConsistencyPolicy policy;
    private WriteSettlement settlement;
    /** What the secondary runs around the request so that it holds the large objects the primary made, or null. */
    private LargeObjectImages.Fix largeObjects;
    /** A simple Query's text for the secondary when it names the session's temporary schema, or null. */
    private String secondaryText;

    /** @param sentAhead the part of the request a Flush sent ahead of its Sync, or null */
    LockstepWrite(SessionParts parts, UnitPlan plan, Ahead sentAhead, boolean wrapAllowed) {
        this.parts = parts;
        this.context = parts.context();
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.plan = plan;
        this.ahead = sentAhead == null ? 0 : sentAhead.sent();
        this.aheadOutcome = sentAhead == null ? null : sentAhead.outcome();
        this.wrapAllowed = wrapAllowed;
        this.dual = context.dual();
        this.queue = parts.queue();
        this.secondaryTransaction = parts.secondaryTransaction();
    }

    Future<Void> run() {
        // A request that ran partly ahead has written already; one that cannot be wrapped does not queue.
        boolean mayWaitForDrain = ahead == 0 && wrapAllowed;
        return queue.replayReady()
                .compose(v -> mayWaitForDrain ? queue.drainedBeforeFirstWrite() : Future.succeededFuture())
                .compose(v -> parts.secondaryConnection().reconnectIfDue(ahead == 0))
                .compose(v -> mayWaitForDrain ? joinedReadOnly() : Future.succeededFuture())
                .compose(v -> cursorImageChecked()).compose(v -> sessionSchemaRenamed())
                .compose(v -> droppedDatabaseLetGo()).compose(v -> onPrimary());
    }

    /**
     * The secondary joins a READ ONLY transaction at its first write. Such a transaction writes only temporary objects,
     * which PREPARE TRANSACTION refuses and the catch-up applier does not have; and the primary could record neither a
     * two-phase decision nor a queue entry in it.
     */
    private Future<Void> joinedReadOnly() {
        return secondaryTransaction.joinReadOnly().map(joined -> {
            if (joined) {
                String why = "a READ ONLY transaction, which writes only temporary objects of its session";
                parts.commits().cannotPrepare(why);
                if (queue.recording() != null) {
                    queue.recording().refuse(why);
                }
            }
            return null;
        });
    }

    /** A simple Query's UPDATE or DELETE WHERE CURRENT OF keeps its row image only where the primary allows it. */
    private Future<Void> cursorImageChecked() {
        if (!plan.simple() || plan.rowImage().isEmpty() || ahead > 0) {
            return Future.succeededFuture();
        }
        return CursorImageCheck.allows(legs.primary(), plan.rowImage().get()).map(allowed -> {
            if (!allowed) {
                plan = plan.withoutRowImage();
            }
            return null;
        });
    }

    /**
     * Exodus lets go of the database a DROP DATABASE drops: its own connections there (the catch-up queue's polls, the
     * two-phase decision log) would make the drop fail with 55006 on either side, as no session of the client's does.
     * PostgreSQL waits a few seconds for other sessions to leave, which covers those that close when idle.
     */
    private Future<Void> droppedDatabaseLetGo() {
        // DROP DATABASE refuses a transaction block, so its request is sequential: lockstep writes skip the scan.
        if (ahead > 0 || plan.shape() != UnitShape.SEQUENTIAL) {
            return Future.succeededFuture();
        }
        List<Future<Void>> released = new ArrayList<>();
        for (String sql : plan.executedSql()) {
            DatabaseDrop.droppedBy(sql).ifPresent(database -> {
                if (dual.replay() != null) {
                    released.add(dual.replay().letGo(database));
                }
                if (dual.decisions() != null) {
                    released.add(dual.decisions().letGo(database));
                }
            });
        }
        return released.isEmpty() ? Future.succeededFuture() : Future.join(released).mapEmpty();
    }

    private Future<Void> sessionSchemaRenamed() {
        if (!plan.simple() || ahead > 0 || plan.rowImage().isPresent()) {
            return Future.succeededFuture();
        }
        return SessionSchemaRename.secondaryText(legs.primary(), legs.secondary(), plan.statementText())
                .map(text -> {
                    secondaryText = text;
                    return null;
                });
    }

    private Future<Void> onPrimary() {
        Leg primary = legs.primary();
        transaction.beginIfIdle();
        policy = transaction.policy();
        wrap = wrapAllowed && primary.transactionStatus() == TransactionStatus.IDLE;
        if (primary.transactionStatus() == TransactionStatus.FAILED) {
            // The primary refuses everything until ROLLBACK; let it say so.
            return context.primaryAnswersClient(plan, ahead).mapEmpty();
        }
        settlement = new WriteSettlement(parts, plan, policy, wrap,
                wrapAllowed && queue.canQueue() && queue.recording() != null, "statement");
        Future<Void> refused = settlement.refusalBeforeRunning();
        if (refused != null) {
            return refused;
        }
        if (ahead == 0) {
            // Nothing of the request ran: the primary is between requests, where a query of Exodus's own may go.
            queue.beforeWriteRuns();
        }
        if (queue.queueTransaction() && verb() == TransactionVerb.PREPARE_TRANSACTION) {
            return queue.entryBeforePrepare(plan.fingerprint()).compose(entryRefused -> entryRefused == null
                    ? runOnPrimary(primary)
                    : Future.succeededFuture(reply(ReplySynthesizer.failure(entryRefused, TransactionStatus.FAILED))));
        }
        return runOnPrimary(primary);
    }

    private Future<Void> runOnPrimary(Leg primary) {
        boolean secondaryReady = settlement.secondaryReady();
        SecondaryRequests.PrimaryRequest request = context.requests().primary(plan, ahead,
                primary.unnamedStatementLive(), wrap);
        Buffer toPrimary = request.buffer();
        if (wrap) {
            toPrimary = FrontendMessages.query("BEGIN").appendBuffer(toPrimary);
        }
        HeldReply held = new HeldReply(0);
        PrimaryRowImageFilter filter = request.filterFor(held);
        Leg.Sink sink = filter == null ? held : filter;
        if (wrap) {
            sink = HeldReply.afterFirstReadyForQuery(sink);
        }
        return primary.send(toPrimary, wrap ? 2 : 1, sink).compose(p -> {
            if (p.lostConnection()) {
                return Future.succeededFuture();
            }
            if (p.failed()) {
                primaryFailed = true;
                if (wrap && refusedForItsImage(p)) {
                    return primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD).compose(r -> asText());
                }
                if (wrap && refusedForTheBlock(p)) {
                    // Something the statement runs cannot run inside a transaction block, and only Exodus's BEGIN
                    // made it one: again as the client sent it, unwrapped on both, as a statement known to refuse a
                    // block would be. It gets its own answer then (from a function: "cannot be executed from a
                    // function", as directly).
                    return primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD)
                            .compose(r -> primary.send(FrontendMessages.appendSync(closing(parsedHere())), 1,
                                    Leg.DISCARD))
                            .compose(r -> new LockstepWrite(parts, plan, null, false).run());
                }
                if (wrap) {
                    return primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD)
                            .map(r -> reply(held.withFinalStatus(TransactionStatus.IDLE)));
                }
                if (!wrap && secondaryReady && !queue.queueTransaction() && plan.shape() == UnitShape.SEQUENTIAL
                        && plan.statementText() != null
                        && TransactionBlockRules.leavesAnIndexWhenItFails(plan.statementText())) {
                    return failedOnTheSecondaryToo(p, held);
                }
                if (primary.transactionStatus() == TransactionStatus.IDLE) {
                    // The failure ended the primary's transaction (a PREPARE TRANSACTION whose gid is taken): the
                    // secondary's part ends too, or it would stay open there, and the client's next ROLLBACK PREPARED
                    // would meet it instead of the transaction it names.
                    parts.secondaryTransaction().drop();
                }
                return Future.succeededFuture(reply(held.asIs()));
            }
            parts.commits().primaryWrote();
            if (!secondaryReady && !queue.queueTransaction() && plan.shape() == UnitShape.SEQUENTIAL
                    && plan.statementText() != null) {
                Future<Boolean> handled = outsideTransactionWithoutSecondary(p);
                if (handled != null) {
                    return handled.compose(done -> done ? Future.succeededFuture(reply(held.asIs()))
                            : missedBySecondary(p, held));
                }
            }
            if (!secondaryReady && !queue.queueTransaction()) {
                return missedBySecondary(p, held);
            }
            if (plan.createsLargeObjects()) {
                return context.largeObjects().after(primary).compose(fix -> {
                    if (fix.refusal() != null) {
                        return settlement.failAfterRunning(fix.refusal());
                    }
                    largeObjects = fix;
                    return toSecondary(p, held, filter);
                });
            }
            return toSecondary(p, held, filter);
        });
    }

    private Future<Void> toSecondary(LegReply p, HeldReply held, PrimaryRowImageFilter filter) {
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
        return TableShapes.of(legs, dual, captures).compose(shapes -> onSecondary(p, held, captures, shapes));
    }

    private Future<Void> onSecondary(LegReply p, HeldReply held, List<PrimaryRowImageFilter.Capture> captures,
            Map<Integer, TableShape> shapes) {
        UnitPlan secondaryPlan = ImagesForSecondary.decide(plan, captures, shapes, dual, context.classifications());
        if (secondaryText != null && !secondaryPlan.usesRowImage()) {
            secondaryPlan = secondaryPlan.withText(secondaryText);
        }
        List<String> primaryTags = primaryTags(p);
        TransactionRecording recording = wrapAllowed ? queue.recording() : null;
        SecondaryRequests.SecondaryRequest request = withLargeObjects(context.requests().secondary(secondaryPlan,
                captures, shapes == null ? Map.of() : shapes, primaryTags,
                recording == null ? null : recording.preparedHere()));
        int answers = largeObjects == null ? 1 : 3;
        if (recording != null) {
            String replayText = replayText(secondaryPlan);
            Buffer replay = Objects.equals(replayText, plan.statementText()) ? request.replay()
                    : FrontendMessages.query(replayText);
            recording.add(wrap ? FrontendMessages.query("BEGIN").appendBuffer(replay) : replay,
                    wrap ? answers + 1 : answers, wrap ? withBegin(request.expectedTags()) : request.expectedTags(),
                    true);
            recording.wrote(plan.statementText());
            context.temporaryTables().refuseIfReplayNames(replayText, secondaryPlan.usesRowImage(), recording);
        }
        if (queue.queueTransaction()) {
            return settlement.finishOnPrimaryOnly(held);
        }
        Leg secondary = legs.secondary();
        if (secondary == null || !secondary.isOpen()) {
            return settlement.onSecondaryFailure(p, LegReply.lost("the connection to the target is gone"), held);
        }
        Buffer toSecondary = request.buffer();
        if (wrap) {
            toSecondary = FrontendMessages.query("BEGIN").appendBuffer(toSecondary);
        }
        boolean behind = wrapAllowed && !wrap;
        Future<LegReply> applied = behind ? secondary.sendLater(toSecondary, answers, Leg.DISCARD)
                : secondary.send(toSecondary, wrap ? answers + 1 : answers, Leg.DISCARD);
        if (behind) {
            // Inside an explicit transaction the client need not wait: the secondary applies the statement behind
            // the primary (its connection keeps the order), and the COMMIT waits until it has caught up, which is
            // what keeps other writers of these rows behind this transaction on both databases. Nothing waits for
            // it before the transaction ends, so it is written with the transaction's next request that is.
            secondaryTransaction.joined(true);
            parts.commits().secondaryBehind();
            applied.onSuccess(s -> {
                if (s.failed() || !secondaryTags(s.commandTags()).equals(request.expectedTags())) {
                    Divergence.Kind kind = WriteSettlement.kindOf(s);
                    secondaryTransaction.failedBehind(kind, plan, p, s, settlement.clientError(kind, p, s));
                }
            });
            reply(held.asIs());
            return Future.succeededFuture();
        }
        boolean asImage = secondaryPlan.usesRowImage();
        return applied.compose(s -> {
            if (ClientTwoPhase.notPreparedOnSecondary(p, s) && ClientTwoPhase.endsPrepared(verb())) {
                return preparedOnPrimaryOnly(held);
            }
            if (wrap && asImage && largeObjects == null && refusedAsInput(s)) {
                return asTextAfterRefusedImage(p, s, held, secondary, primaryTags);
            }
            if (s.failed() || !secondaryTags(s.commandTags()).equals(request.expectedTags())) {
                return settlement.onSecondaryFailure(p, s, held);
            }
            return settlement.onSecondarySuccess(held);
        });
    }

    /**
     * Whether the secondary refused a row image's value as input: text that is not valid in the database encoding
     * (the source holds it, made by a C function, but no input function takes it, in text or binary form).
     */
    private static boolean refusedAsInput(LegReply secondary) {
        return secondary.failed() && !secondary.lostConnection() && secondary.error() != null
                && (SqlState.CHARACTER_NOT_IN_REPERTOIRE.equals(secondary.error().sqlState())
                || SqlState.UNTRANSLATABLE_CHARACTER.equals(secondary.error().sqlState()));
    }

    /**
     * The secondary refused the row the primary wrote as input. The statement's text makes the value on the secondary
     * as it did on the primary (the C function runs there too), so the autocommit write, which Exodus wrapped on both,
     * runs there again as its text, in a new wrapped transaction; counted for verification where its values are drawn.
     * The recorded transaction (the image) could not be replayed either: it is not queued.
     */
    private Future<Void> asTextAfterRefusedImage(LegReply p, LegReply refused, HeldReply held, Leg secondary,
            List<String> primaryTags) {
        UnitPlan text = plan.withoutRowImage();
        String why = "the target refused the row the source wrote as input (" + refused.error().message() + ")";
        UncopiedValues.report(plan, text, why, false, dual, context.classifications());
        if (queue.recording() != null) {
            queue.recording().refuse(why);
        }
        SecondaryRequests.SecondaryRequest request = context.requests().secondary(text, List.of(), Map.of(),
                primaryTags, null);
        return secondary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD)
                .compose(r -> secondary.send(FrontendMessages.query("BEGIN").appendBuffer(request.buffer()), 2,
                        Leg.DISCARD))
                .compose(s -> s.failed() || !secondaryTags(s.commandTags()).equals(request.expectedTags())
                        ? settlement.onSecondaryFailure(p, s, held) : settlement.onSecondarySuccess(held));
    }

    /**
     * The text the replay queue records for a simple Query that runs as its text: the permanent part of a DROP TABLE
     * that also drops temporary tables, and a DROP INDEX with IF EXISTS ({@link MissingIndexDrop}). The statement's
     * own text otherwise (and for anything else: the recorded request is then the secondary's as it is).
     */
    private String replayText(UnitPlan secondaryPlan) {
        if (!plan.simple() || secondaryPlan.usesRowImage() || largeObjects != null || plan.statementText() == null) {
            return plan.statementText();
        }
        String text = context.temporaryTables().replayable(plan.statementText());
        return MissingIndexDrop.tolerant(text).orElse(text);
    }

    /** The request for the secondary inside the note and the fix of {@link LargeObjectImages}, if any. */
    private SecondaryRequests.SecondaryRequest withLargeObjects(SecondaryRequests.SecondaryRequest request) {
        if (largeObjects == null) {
            return request;
        }
        List<String> tags = new ArrayList<>(request.expectedTags().size() + largeObjects.tags().size() + 1);
        tags.add("SELECT 1");
        tags.addAll(request.expectedTags());
        tags.addAll(largeObjects.tags());
        Buffer replay = request.replay() == null ? null : around(request.replay());
        return new SecondaryRequests.SecondaryRequest(around(request.buffer()), tags, replay);
    }

    private Buffer around(Buffer request) {
        return largeObjects.before().copy().appendBuffer(request).appendBuffer(largeObjects.after());
    }

    /** The secondary cannot get the write, and the queue cannot take it: a divergence, its tables marked. */
    private Future<Void> missedBySecondary(LegReply p, HeldReply held) {
        transaction.divergence(Divergence.Kind.NOT_MIRRORED, plan, p, null);
        entryMayHaveCommitted();
        if (queue.replays()) {
            queue.markDivergent(WrittenTables.in(plan.statementText()),
                    "the target missed a write and the replay queue could not take it (full, or not usable)");
        }
        if (policy.pinsSessionAfterSecondaryFailure()) {
            // The target missed a write of this session: it must not see the session's later ones first.
            parts.secondaryConnection().pinToPrimary();
        }
        return settlement.finishOnPrimaryOnly(held);
    }

    /**
     * A statement that runs outside any transaction, which the secondary cannot get now (its database's writes wait
     * in the replay queue, or it is away): maintenance without a logical effect ({@code VACUUM}, {@code REINDEX},
     * {@code CLUSTER}) is left out, no divergence; {@code CREATE/DROP INDEX CONCURRENTLY} goes to the queue without
     * {@code CONCURRENTLY}, a {@code DETACH PARTITION … CONCURRENTLY} as a block that also adds the partition's
     * constraint ({@link PartitionDetach}). Null for any other statement; completes with whether it was handled.
     */
    private Future<Boolean> outsideTransactionWithoutSecondary(LegReply p) {
        String text = plan.statementText();
        if (TransactionBlockRules.isMaintenanceOnly(text)) {
            return Future.succeededFuture(true);
        }
        Optional<String> queued = TransactionBlockRules.inTransactionForm(text);
        if (queued.isEmpty() || !queue.replays()) {
            return null;
        }
        Optional<String> partition = PartitionDetach.partitionOf(text);
        if (partition.isPresent()) {
            return queue.queueDetachOnItsOwn(queued.get(), partition.get());
        }
        String entry = MissingIndexDrop.tolerant(queued.get()).orElse(queued.get());
        return queue.queueOnItsOwn(entry, p.commandTags(), entry);
    }

    /**
     * A concurrent index build that failed on the primary left an invalid index there, which later statements name or
     * reuse: the secondary runs it too, to fail the same way and keep the same leftover. The client hears the
     * primary's error; a secondary that built the index instead is a divergence.
     */
    private Future<Void> failedOnTheSecondaryToo(LegReply p, HeldReply held) {
        Leg secondary = legs.secondary();
        if (secondary == null || !secondary.isOpen()) {
            reply(held.asIs());
            return Future.succeededFuture();
        }
        return secondary.send(FrontendMessages.query(plan.statementText()), 1, Leg.DISCARD).map(s -> {
            if (!s.failed()) {
                transaction.divergence(Divergence.Kind.SECONDARY_ERROR, plan, p, s);
            }
            return reply(held.asIs());
        });
    }

    /** Whether the primary refused a request that Exodus wrapped only because of that wrapping. */
    private boolean refusedForTheBlock(LegReply p) {
        return ahead == 0 && p.error() != null && SqlState.ACTIVE_SQL_TRANSACTION.equals(p.error().sqlState());
    }

    /** The names of the statements the request parses (a failed run made them on the primary). */
    private Set<String> parsedHere() {
        Set<String> names = new LinkedHashSet<>();
        for (PgMessage message : plan.messages()) {
            if (message.type() == FrontendMessageType.PARSE) {
                names.add(Parse.statementOf(message));
            }
        }
        return names;
    }

    /** Close messages for {@code statements}, so that the request can parse them again. */
    private static Buffer closing(Set<String> statements) {
        Buffer close = Buffer.buffer();
        statements.forEach(name -> FrontendMessages.appendCloseStatement(close, name));
        return close;
    }

    /**
     * Whether the primary's error may come from the RETURNING the row image added rather than from the statement:
     * the SELECT privilege RETURNING needs, a row-level-security SELECT policy, a DO INSTEAD rule without RETURNING,
     * a table without columns (SQLSTATE class 42, and 0A000). Only an autocommit request, which Exodus wrapped in a
     * transaction of its own, can be run again: rolled back, nothing of the first run remains but drawn sequence
     * values.
     */
    private boolean refusedForItsImage(LegReply p) {
        if (ahead != 0 || !plan.usesRowImage() || p.error() == null || p.error().sqlState() == null) {
            return false;
        }
        if (plan.simple() ? plan.rowImage().get().clientAskedForAllColumns() : imageStatements().isEmpty()) {
            return false;
        }
        String state = p.error().sqlState();
        return state.startsWith("42") || state.equals(SqlState.FEATURE_NOT_SUPPORTED);
    }

    /**
     * The names of the statements the extended-protocol request executes with a row image that rewrote their text,
     * each with its Parse known (so that it can be given back to the primary as the client parsed it).
     */
    private Set<String> imageStatements() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < plan.messages().size(); i++) {
            StatementBook.Statement statement = plan.statementAt(i);
            if (plan.messages().get(i).type() != FrontendMessageType.BIND || statement == null
                    || statement.rowImage().isEmpty() || statement.rowImage().get().clientAskedForAllColumns()) {
                continue;
            }
            if (statement.parse() == null) {
                return Set.of();
            }
            names.add(Bind.of(plan.messages().get(i)).statement());
        }
        return names;
    }

    /**
     * The statement runs again as the client sent it, on both databases, and the client gets that run's answer: its
     * own error when it was the statement's, its result when it was the image's. When that run succeeds, the text
     * keeps running as text in this session; values it draws are counted for verification. In the extended protocol
     * the primary gets back the statements as the client parsed them first: those the request parses itself are
     * closed (the failed run may have made them), the image statements it binds from earlier requests are parsed
     * again as the client wrote them.
     */
    private Future<Void> asText() {
        if (plan.simple()) {
            context.planner().imageRefused(plan.statementText());
            return runAsText(plan.withoutRowImage(), List.of(plan.statementText()));
        }
        Set<String> parsedHere = parsedHere();
        Buffer fixUp = closing(parsedHere);
        List<String> texts = new ArrayList<>();
        for (String name : imageStatements()) {
            texts.add(context.book().statement(name).sql());
            context.planner().imageRefused(texts.get(texts.size() - 1));
            Buffer restore = context.book().withoutImage(name);
            if (!parsedHere.contains(name)) {
                fixUp.appendBuffer(restore);
            }
        }
        FrontendMessages.appendSync(fixUp);
        UnitPlan asParsed = context.planner().plan(plan.messages());
        return legs.primary().send(fixUp, 1, Leg.DISCARD).compose(r -> runAsText(asParsed, texts));
    }

    /**
     * Runs the request as text; when it fails that way too, the error was the statement's own (a missing table, a
     * syntax error), not the image's, and the texts get their row images again in later requests.
     */
    private Future<Void> runAsText(UnitPlan asText, List<String> texts) {
        LockstepWrite again = new LockstepWrite(parts, asText, null, wrapAllowed);
        return again.run().onSuccess(v -> {
            if (again.primaryFailed) {
                texts.forEach(context.planner()::imageNotToBlame);
            }
        });
    }

    /**
     * The client's COMMIT or ROLLBACK PREPARED ended a transaction the secondary never had: it went to the replay
     * queue, prepared with its entry on the primary (or its PREPARE failed on the secondary, counted then). A COMMIT
     * PREPARED has just made that entry visible: this proxy's sessions queue until the next poll has seen it.
     */
    private Future<Void> preparedOnPrimaryOnly(HeldReply held) {
        entryMayHaveCommitted();
        reply(held.asIs());
        return Future.succeededFuture();
    }

    /** A COMMIT PREPARED the secondary did not take may have made a queue entry visible this proxy did not see. */
    private void entryMayHaveCommitted() {
        if (parts.queue().catchUp() != null && verb() == TransactionVerb.COMMIT_PREPARED) {
            parts.queue().catchUp().entryMayHaveCommitted(legs.database());
        }
    }

    /** Client two-phase-commit statements run one after the other ({@link UnitShape#SEQUENTIAL}); NONE otherwise. */
    private TransactionVerb verb() {
        if (verb == null) {
            verb = plan.shape() == UnitShape.SEQUENTIAL ? ClientTwoPhase.verbOf(plan, context.classifications())
                    : TransactionVerb.NONE;
        }
        return verb;
    }

    private Void reply(Buffer bytes) {
        context.client().add(bytes);
        return null;
    }

    /** The command tags of the request on the primary, those of the part a Flush sent ahead first, without BEGIN. */
    private List<String> primaryTags(LegReply p) {
        List<String> tags = withoutBegin(p.commandTags());
        if (aheadOutcome == null || aheadOutcome.commandTags().isEmpty()) {
            return tags;
        }
        List<String> all = new ArrayList<>(aheadOutcome.commandTags());
        all.addAll(tags);
        return all;
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
