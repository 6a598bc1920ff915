package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.catchup.TransactionRecording;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.dualwrite.copy.DrawnDefaults;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.sql.CopyFromStatement;
import io.exodus.proxy.sql.WrittenTables;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Optional;

/**
 * A {@code COPY … FROM STDIN} (a simple Query, then the client's COPY data), run as a write of ADR 0004 with the
 * rows of ADR 0008: on the primary first, then on the secondary, in the client's transaction or in one Exodus wraps
 * it in. {@link StreamedCopy} carries the data to both databases as it comes when they compute the same rows from
 * it; {@link ChunkedCopy} when the primary must draw values for left-out columns first. Either way this class then
 * settles the outcome as {@link LockstepWrite} settles an INSERT's: the secondary's failure queues the transaction
 * under the policies that queue, and fails it under two-phase-commit and new-authoritative; the client hears the
 * primary's {@code COPY n}.
 */
final class CopyInWrite {
    private final SessionParts parts;
    private final SessionContext context;
    private final CopyFeed clientFeed;
    private final CurrentTransaction transaction;
    private final Legs legs;
    private final UnitPlan plan;
    private final DualWriteServices dual;
    private final QueueHandoff queue;
    private final SecondaryTransaction secondaryTransaction;
    private boolean wrap;
    private ConsistencyPolicy policy;
    private WriteSettlement settlement;

    /** @param clientFeed the client's own data, as the relay takes it in (the usual {@code COPY … FROM STDIN}) */
    CopyInWrite(SessionParts parts, UnitPlan plan, CopyFeed clientFeed) {
        this.parts = parts;
        this.clientFeed = clientFeed;
        this.context = parts.context();
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.plan = plan;
        this.dual = context.dual();
        this.queue = parts.queue();
        this.secondaryTransaction = parts.secondaryTransaction();
    }

    Future<Void> run() {
        return queue.replayReady().compose(v -> queue.drainedBeforeFirstWrite())
                .compose(v -> parts.secondaryConnection().reconnectIfDue()).compose(v -> start());
    }

    private Future<Void> start() {
        Leg primary = legs.primary();
        transaction.beginIfIdle();
        policy = transaction.policy();
        wrap = primary.transactionStatus() == TransactionStatus.IDLE;
        if (primary.transactionStatus() == TransactionStatus.FAILED) {
            // The primary refuses everything until ROLLBACK, and asks for no data: let it say so.
            return context.primaryAnswersClient(plan, 0).mapEmpty();
        }
        settlement = new WriteSettlement(parts, plan, policy, wrap, queue.canQueue() && queue.recording() != null,
                "COPY");
        Future<Void> refused = settlement.refusalBeforeRunning();
        if (refused != null) {
            return refused;
        }
        queue.beforeWriteRuns();
        boolean secondaryReady = settlement.secondaryReady();
        boolean toSecondary = secondaryReady && !queue.queueTransaction();
        int replayLimit = queue.canQueue() && queue.recording() != null
                ? queue.catchUp().config().maxTransactionBytes() : 0;
        if (wrap) {
            primary.send(FrontendMessages.query("BEGIN"), 1, Leg.DISCARD);
        }
        return copy(toSecondary, replayLimit).compose(outcome -> settle(outcome, toSecondary));
    }

    /**
     * Runs the COPY on the databases: streamed as it is, or in chunks with drawn values appended; the rows of a COPY
     * from a file on the primary's host are read there first and given to both as {@code FROM STDIN}.
     */
    private Future<CopyIn.Outcome> copy(boolean toSecondary, int replayLimit) {
        if (context.classifications().classify(plan.statementText()).isMultiStatement()) {
            // Among other statements: every COPY of it reads STDIN and fills every column (CopyFromRules).
            return asWritten(toSecondary, replayLimit);
        }
        Optional<CopyFromStatement> parsed = CopyFromStatement.parse(plan.statementText());
        if (parsed.isEmpty()) {
            // A text only the server can judge: as it is, to both; counted only if the server took it.
            return asWritten(toSecondary, replayLimit).onSuccess(outcome -> {
                        if (!outcome.primary().failed()) {
                            dual.divergences().nondeterministic(plan.fingerprint(), "Exodus could not read this "
                                    + "COPY's column list, so both databases ran it as it is: values of left-out "
                                    + "columns with volatile defaults may differ");
                        }
                    });
        }
        CopyFromStatement statement = parsed.get();
        if (statement.source() != CopyFromStatement.Source.FILE) {
            return copy(statement, plan.statementText(), clientFeed, toSecondary, replayLimit);
        }
        ServerFileRead file = new ServerFileRead(legs.primary(), statement.fileName(), dual.copyFromFileMaxBytes());
        return file.run()
                .compose(read -> {
                    if (read.failed() != null) {
                        return Future.succeededFuture(read.failed());
                    }
                    if (read.refusal() != null) {
                        return Future.succeededFuture(refusedHere(read.refusal()));
                    }
                    if (read.runAsWritten()) {
                        // The primary refuses it in its own words; nothing is asked of the client or the secondary.
                        return asWritten(toSecondary, replayLimit);
                    }
                    CopyFromStatement fromStdin = statement.readingStdin();
                    if (statement.columns().isEmpty()) {
                        // Every column from the file: the primary reads it itself, as it would directly.
                        return new ServerFileCopy(legs, plan.statementText(), fromStdin.fromStdin(), file, read, wrap,
                                toSecondary, replayLimit, this::refusedHere).run();
                    }
                    return copy(fromStdin, fromStdin.fromStdin(), new ServerFileFeed(read.bytes()), toSecondary,
                            replayLimit);
                });
    }

    /** The client's text as it is, to both databases, with the client's data (if the primary asks for any). */
    private Future<CopyIn.Outcome> asWritten(boolean toSecondary, int replayLimit) {
        return new StreamedCopy(context, plan.statementText(), wrap, toSecondary, replayLimit,
                clientFeed).run();
    }

    private Future<CopyIn.Outcome> copy(CopyFromStatement statement, String sql, CopyFeed feed, boolean toSecondary,
            int replayLimit) {
        if (statement.columns().isEmpty()) {
            // Every column filled from the data: the same data, the same rows.
            return new StreamedCopy(context, sql, wrap, toSecondary, replayLimit, feed).run();
        }
        return drawnDefaults(statement).compose(found -> {
            if (found.failure() != null) {
                return Future.succeededFuture(found.failure());
            }
            DrawnDefaults drawn = found.drawn();
            if (!drawn.any()) {
                return new StreamedCopy(context, sql, wrap, toSecondary, replayLimit, feed).run();
            }
            String encoding = statement.stringOption("encoding");
            if (statement.format() != CopyFromStatement.Format.BINARY
                    && !DrawnDefaults.asciiSafe(encoding != null ? encoding : drawn.encoding())) {
                return Future.succeededFuture(refusedHere(ErrorResponse.error(SqlState.FEATURE_NOT_SUPPORTED,
                        "Exodus cannot split COPY data in client encoding " + (encoding != null ? encoding
                                : drawn.encoding()) + " into rows, which it must to give both databases the same "
                                + "values for the columns this COPY leaves out (" + String.join(", ", drawn.columns())
                                + ")").withHint("Set client_encoding to UTF8 for the COPY, or list every column.")));
            }
            // Exodus answers the client's COPY itself: what the primary would refuse before any data, it must hear
            // before it sends data.
            return CopyStatementCheck.refusalOf(legs.primary(), sql).compose(refusal -> refusal != null
                    ? Future.succeededFuture(refused(refusal, ErrorResponse.decode(refusal.slice(5, refusal.length()))))
                    : new ChunkedCopy(legs, statement, drawn, wrap, toSecondary, replayLimit, feed).run());
        });
    }

    private record Found(DrawnDefaults drawn, CopyIn.Outcome failure) {
    }

    /** The drawn defaults of the columns the COPY leaves out, read on the primary in the client's transaction. */
    private Future<Found> drawnDefaults(CopyFromStatement statement) {
        HeldReply held = new HeldReply(0);
        TextRows rows = new TextRows(held.errorAndReady());
        return legs.primary().send(FrontendMessages.query(DrawnDefaults.sql(statement.table())), 1, rows)
                .map(reply -> reply.failed()
                        ? new Found(null, CopyIn.Outcome.failedBefore(reply, held))
                        : new Found(DrawnDefaults.of(rows.rows(), statement.columns()), null));
    }

    /**
     * Refused by Exodus: the primary's transaction fails as the statement's would (a wrapped one is rolled back when
     * the outcome is settled, which also undoes a COPY the primary ran already).
     */
    private CopyIn.Outcome refusedHere(ErrorResponse error) {
        return refused(error.encode(), error);
    }

    /** Refused before anything ran, in the words of {@code encoded} (a framed ErrorResponse, Exodus's or the primary's). */
    private CopyIn.Outcome refused(Buffer encoded, ErrorResponse error) {
        HeldReply held = new HeldReply(0);
        held.append(new PgMessage(BackendMessageType.ERROR_RESPONSE,
                encoded.slice(5, encoded.length())));
        held.append(new PgMessage(BackendMessageType.READY_FOR_QUERY,
                Buffer.buffer(1).appendByte((wrap ? TransactionStatus.IN_TRANSACTION : TransactionStatus.FAILED).code())));
        if (!wrap) {
            legs.primary().send(FrontendMessages.query(WriteSettlement.ABORT_SQL), 1, Leg.DISCARD);
        }
        return CopyIn.Outcome.failedBefore(new LegReply(TransactionStatus.FAILED, error, List.of(), false), held);
    }

    private Future<Void> settle(CopyIn.Outcome outcome, boolean toSecondary) {
        LegReply p = outcome.primary();
        HeldReply held = outcome.reply();
        Leg primary = legs.primary();
        if (p.lostConnection()) {
            return Future.succeededFuture();
        }
        if (p.failed()) {
            if (wrap) {
                return legs.secondaryDrained().compose(v -> {
                    secondaryTransaction.drop();
                    return primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
                }).map(r -> reply(held.withFinalStatus(TransactionStatus.IDLE)));
            }
            Leg secondary = legs.secondary();
            if (outcome.secondary() != null && !outcome.secondary().failed() && secondary != null
                    && secondary.isOpen()) {
                // The secondary took the COPY that the primary refused: its transaction must fail as well.
                secondary.send(FrontendMessages.query(WriteSettlement.ABORT_SQL), 1, Leg.DISCARD);
            }
            return Future.succeededFuture(reply(held.asIs()));
        }
        TransactionRecording recording = queue.canQueue() ? queue.recording() : null;
        if (recording != null) {
            if (outcome.replay() == null) {
                recording.overflowed(plan.statementText());
            } else {
                recording.add(outcome.replay(), outcome.replayReady(), outcome.replayTags(), true);
                recording.wrote(plan.statementText());
                context.temporaryTables().refuseIfReplayNames(plan.statementText(), false, recording);
            }
        }
        if (queue.queueTransaction()) {
            return settlement.finishOnPrimaryOnly(held);
        }
        if (!toSecondary) {
            transaction.divergence(Divergence.Kind.NOT_MIRRORED, plan, p, null);
            if (queue.replays()) {
                queue.markDivergent(WrittenTables.in(plan.statementText()),
                        "the target missed a COPY and the replay queue could not take it (full, or not usable)");
            }
            if (policy.pinsSessionAfterSecondaryFailure()) {
                parts.secondaryConnection().pinToPrimary();
            }
            return settlement.finishOnPrimaryOnly(held);
        }
        LegReply s = outcome.secondary() != null ? outcome.secondary()
                : LegReply.lost("the connection to the target is gone");
        if (s.failed() || !WriteSettlement.withoutBegin(s.commandTags()).equals(p.commandTags())) {
            return settlement.onSecondaryFailure(p, s, held);
        }
        return settlement.onSecondarySuccess(held);
    }

    private Void reply(Buffer bytes) {
        context.client().add(bytes);
        return null;
    }
}
