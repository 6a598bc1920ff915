package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * The policy's rules around one write ({@link LockstepWrite}, {@link CopyInWrite}): whether it may run at all
 * without the secondary, whether its transaction goes to the catch-up queue, and how it ends when the secondary
 * failed it or takes no part. One place, so that an INSERT and a COPY can never be settled by different rules.
 */
final class WriteSettlement {
    /** Puts a transaction in the failed state, as the error the client is told about would have. */
    static final String ABORT_SQL =
            "/* Exodus: the other database failed, so this transaction must not commit */ SELECT 1/0";

    private final SessionParts parts;
    private final SessionContext context;

    private final CurrentTransaction transaction;

    private final Legs legs;
    private final UnitPlan plan;
    private final ConsistencyPolicy policy;
    private final boolean wrap;
    private final boolean queueable;
    private final String what;
    private final QueueHandoff queue;
    private final SecondaryTransaction secondaryTransaction;

    /**
     * @param wrap      Exodus wraps the autocommit write in a transaction of its own on both legs
     * @param queueable the write may be recorded for the catch-up queue (the policy queues and the queue has room)
     * @param what      the write in messages to the client: "statement", "COPY"
     */
    WriteSettlement(SessionParts parts, UnitPlan plan, ConsistencyPolicy policy, boolean wrap, boolean queueable,
            String what) {
        this.parts = parts;
        this.context = parts.context();
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.plan = plan;
        this.policy = policy;
        this.wrap = wrap;
        this.queueable = queueable;
        this.what = what;
        this.queue = parts.queue();
        this.secondaryTransaction = parts.secondaryTransaction();
    }

    /**
     * Before the write runs: sends the transaction to the queue where the secondary cannot take it (or earlier
     * transactions wait there), and refuses the write where the policy needs the secondary. Returns the refusal
     * (already answered) or null when the write may run; {@link #secondaryReady} then says where it goes.
     */
    Future<Void> refusalBeforeRunning() {
        Leg primary = legs.primary();
        boolean failsClient = policy.secondaryFailureFailsClient(legs.secondaryIsTarget());
        if (queueable && !queue.queueTransaction()) {
            if (queue.mustQueue()) {
                // Earlier transactions wait in the queue: this one must not reach the secondary before them.
                queue.queueCurrentTransaction("earlier transactions wait in the queue");
            } else if (queue.queuesEveryTransaction()) {
                queue.queueCurrentTransaction(QueueHandoff.ANSWERS_FIRST);
            }
        }
        if (failsClient && queue.mustQueue()) {
            return refuse(ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                    "the target database still has transactions queued for replay, and the consistency policy "
                            + policy.configName() + " does not let a write overtake them")
                    .withHint("Retry when the replay queue has drained (GET /exodus/migration shows its depth)."));
        }
        boolean ready = secondaryReady();
        if (!ready && failsClient) {
            ErrorResponse earlier = secondaryTransaction.deferredFailure();
            return refuse(earlier != null ? earlier : ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                    "the " + legs.secondaryName() + " database is unavailable, and the consistency policy "
                            + policy.configName() + " does not let a write commit without it")
                    .withHint("Retry when the " + legs.secondaryName() + " is back, or switch "
                            + "exodus.migration.policy to one that lets the " + legs.primarySide().configName()
                            + " go on alone."));
        }
        if (!ready && queueable) {
            queue.queueCurrentTransaction(legs.secondaryUsable() ? "the target does not take part in the transaction"
                    : "no connection to the target");
        }
        return null;
    }

    /** Whether the secondary gets the write live (not queued, connected, and in the transaction if there is one). */
    boolean secondaryReady() {
        return !queue.queueTransaction() && legs.secondaryUsable()
                && (legs.primary().transactionStatus() == TransactionStatus.IDLE || secondaryTransaction.takesPart());
    }

    static Divergence.Kind kindOf(LegReply secondary) {
        return secondary.lostConnection() ? Divergence.Kind.SECONDARY_LOST
                : secondary.failed() ? Divergence.Kind.SECONDARY_ERROR : Divergence.Kind.ROW_COUNT;
    }

    /** The secondary failed the write the primary ran: queued, failed or carried on alone, as the policy says. */
    Future<Void> onSecondaryFailure(LegReply p, LegReply s, HeldReply held) {
        Divergence.Kind kind = kindOf(s);
        if (queueable && queue.recording() != null) {
            // The whole transaction (this write included, it is recorded) reaches the secondary through the queue.
            // A lost secondary is no divergence yet; a secondary that answered differently is one, replay or not.
            if (kind != Divergence.Kind.SECONDARY_LOST) {
                transaction.divergence(kind, plan, p, s);
            }
            queue.queueCurrentTransaction("the target answered " + kind.tag());
            return finishOnPrimaryOnly(held);
        }
        transaction.divergence(kind, plan, p, s);
        if (policy.secondaryFailureFailsClient(legs.secondaryIsTarget())) {
            return failAfterRunning(clientError(kind, p, s));
        }
        secondaryTransaction.drop();
        if (policy.pinsSessionAfterSecondaryFailure()) {
            parts.secondaryConnection().pinToPrimary();
        }
        return finishOnPrimaryOnly(held);
    }

    /**
     * The write ran on the primary but must not stand: the client gets {@code error} in its place, an autocommit write
     * is rolled back, and an explicit transaction is failed on both databases (the client's ROLLBACK ends it).
     */
    Future<Void> failAfterRunning(ErrorResponse error) {
        Leg primary = legs.primary();
        Leg secondary = legs.secondary();
        closeNamedStatements();
        if (wrap) {
            secondaryTransaction.drop();
            return primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD)
                    .map(r -> reply(ReplySynthesizer.failure(error, TransactionStatus.IDLE)));
        }
        if (secondary != null && secondary.isOpen() && secondary.transactionStatus() == TransactionStatus.IN_TRANSACTION) {
            secondary.send(FrontendMessages.query(ABORT_SQL), 1, Leg.DISCARD);
        }
        return primary.send(FrontendMessages.query(ABORT_SQL), 1, Leg.DISCARD)
                .map(r -> reply(ReplySynthesizer.failure(error, TransactionStatus.FAILED)));
    }

    /** The secondary applied the write as the primary did: it takes part, and a wrapped write commits on both. */
    Future<Void> onSecondarySuccess(HeldReply held) {
        secondaryTransaction.joined(true);
        if (wrap) {
            return parts.commits().commitWrapped(held, plan);
        }
        reply(held.asIs());
        return Future.succeededFuture();
    }

    /** The secondary takes no part: an autocommit write commits on the primary alone (with its queue entry). */
    Future<Void> finishOnPrimaryOnly(HeldReply held) {
        if (!wrap) {
            reply(held.asIs());
            return Future.succeededFuture();
        }
        boolean queued = queue.queueTransaction();
        Future<String> commit = queued ? queue.queuedCommitSql(plan.fingerprint()) : Future.succeededFuture("COMMIT");
        return commit.compose(sql -> legs.primary().send(FrontendMessages.query(sql), 1,
                        held.collectingCommitNotices(context.client().noticesOnly())))
                .map(c -> {
            if (!c.failed() && queued) {
                queue.queuedTransactionCommitted();
            }
            if (c.failed()) {
                closeNamedStatements();
                reply(ReplySynthesizer.failure(c.error(), TransactionStatus.IDLE));
            } else {
                reply(held.withFinalStatus(TransactionStatus.IDLE));
            }
            return null;
        });
    }

    /** Under a policy that needs the secondary, a write it cannot get is refused before it runs anywhere. */
    private Future<Void> refuse(ErrorResponse error) {
        Leg primary = legs.primary();
        // Nothing of the request runs: the error comes first, so the driver takes none of its statements for parsed.
        if (primary.transactionStatus() == TransactionStatus.IDLE) {
            reply(ReplySynthesizer.failure(error, TransactionStatus.IDLE));
            return Future.succeededFuture();
        }
        return primary.send(FrontendMessages.query(ABORT_SQL), 1, Leg.DISCARD)
                .map(r -> reply(ReplySynthesizer.failure(error, TransactionStatus.FAILED)));
    }

    /** What the client is told when the policy fails its write for the secondary's failure. */
    ErrorResponse clientError(Divergence.Kind kind, LegReply p, LegReply s) {
        String because = "; the transaction is rolled back on both databases (policy " + policy.configName() + ")";
        return switch (kind) {
            case SECONDARY_ERROR -> new ErrorResponse("ERROR", s.error().sqlState(),
                    s.error().message() + " (on the " + legs.secondaryName() + ")", s.error().detail(),
                    "Exodus ran the " + what + " on both databases; the " + legs.secondaryName() + " refused it"
                            + because + ".");
            case ROW_COUNT -> ErrorResponse.error(SqlState.INTERNAL_ERROR,
                    "the " + legs.secondaryName() + " changed other rows than the " + legs.primarySide().configName()
                            + " (" + String.join(", ", withoutBegin(s.commandTags()))
                            + " vs " + String.join(", ", withoutBegin(p.commandTags())) + ")" + because)
                    .withHint("The databases differ in content; compare the table before going on.");
            default -> ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                    "the connection to the " + legs.secondaryName() + " was lost while it applied the " + what
                            + because);
        };
    }

    /**
     * A failed request whose named statements the primary parsed: the driver takes them for not prepared, so the
     * primary must not keep them either (a later Parse of the same name would fail).
     */
    private void closeNamedStatements() {
        Buffer closes = ReplySynthesizer.closeNamedStatements(plan.messages());
        if (closes != null) {
            legs.primary().send(closes, 1, Leg.DISCARD);
        }
    }

    /** The command tags of a request that Exodus may have begun with its own BEGIN, without that BEGIN's. */
    static List<String> withoutBegin(List<String> tags) {
        return !tags.isEmpty() && tags.get(0).equals("BEGIN") ? tags.subList(1, tags.size()) : tags;
    }

    private Void reply(Buffer bytes) {
        context.client().add(bytes);
        return null;
    }
}
