package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.shadow.PrimaryDigestSink;
import io.exodus.proxy.shadow.ShadowReads;
import io.exodus.proxy.shadow.ShadowRequest;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.NondeterministicValues;
import io.exodus.proxy.sql.StatementTexts;
import io.exodus.proxy.sql.TopLevelOrder;
import io.exodus.proxy.wire.Bind;
import io.exodus.proxy.wire.Execute;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.Query;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A read that the primary answers for the client while its copy runs on the secondary, the two answers compared
 * (strategies shadow and blue-green, docs/adr/0037). The copy is written on the session's own secondary connection
 * right behind the session's earlier requests there and ahead of its later ones, the order in which the primary gets
 * them: it sees what the primary's read sees, the transaction's own writes included, and no later write of the
 * session can overtake it. The client waits for the primary only.
 */
final class ShadowRead {
    private final SessionParts parts;
    private final SessionContext context;
    private final Legs legs;
    private final DualWriteServices dual;
    private final StatementBook book;

    ShadowRead(SessionParts parts) {
        this.parts = parts;
        this.context = parts.context();
        this.legs = context.legs();
        this.dual = context.dual();
        this.book = context.book();
    }

    /** The primary's answer to {@code plan}, which also runs on the secondary if it is shadowed; null if it is not. */
    Future<LegReply> runIfShadowed(UnitPlan plan) {
        ShadowReads shadow = dual.shadow();
        if (shadow == null || !shadow.active()) {
            return null;
        }
        Boolean inTransaction = placeOnSecondary();
        if (inTransaction == null || !copiable(plan) || !shadow.sample()) {
            return null;
        }
        if (dependsOnDatabase(plan)) {
            shadow.skippedVolatile();
            return null;
        }
        Leg primary = legs.primary();
        SecondaryRequests.PrimaryRequest request = context.requests().primary(plan, 0, primary.unnamedStatementLive());
        PrimaryDigestSink tap = new PrimaryDigestSink(request.answersTo(context.client().primaryAnswers()));
        Future<LegReply> onPrimary = primary.send(request.buffer(), 1, tap);
        // Written now, before the session's next request is read: the secondary's connection runs it in the order the
        // primary's does. Its answer is awaited by nobody but the comparison.
        SecondaryRequests.SecondaryRequest copy = context.requests().secondary(plan, List.of(), Map.of(), List.of(),
                null);
        ShadowRequest onSecondary = new ShadowRequest(copy.buffer(), readyForQueries(plan), inTransaction,
                shadow.timeout());
        Future<LegReply> answered = legs.secondary().send(onSecondary.bytes(), onSecondary.readyForQueries(),
                onSecondary);
        // The wrapper's closing Query dropped the unnamed statement there.
        book.onSecondary().remove("");
        List<Boolean> ordered = orderedResults(plan);
        String fingerprint = plan.fingerprint();
        String text = plan.statementText();
        Future.join(onPrimary, answered).onComplete(both -> {
            if (onPrimary.failed() || onPrimary.result().lostConnection()) {
                return;
            }
            if (answered.failed() || answered.result().lostConnection()) {
                onSecondary.digest().error(SqlState.CONNECTION_FAILURE);
            }
            shadow.compare(fingerprint, text, legs.primarySide(), tap.digest(), onSecondary.digest(), ordered);
        });
        return onPrimary;
    }

    /**
     * Whether the copy runs inside the session's transaction on the secondary (true), outside any (false), or cannot
     * be compared (null): the secondary lacks the session's writes (its transaction goes to the replay queue, or the
     * queue has entries it has not applied), or takes no part in the transaction the primary's read sees.
     */
    private Boolean placeOnSecondary() {
        if (!legs.secondaryUsable() || parts.queue().mustQueue()) {
            return null;
        }
        TransactionStatus primary = legs.primary().transactionStatus();
        if (primary == TransactionStatus.IDLE) {
            // Not the secondary's last ReadyForQuery: that may be the previous shadow read's own BEGIN, still being
            // answered. Whatever the session's last transaction left open there was sent its end before this read.
            return parts.secondaryTransaction().part().holdsTransaction() ? null : Boolean.FALSE;
        }
        if (primary == TransactionStatus.IN_TRANSACTION && parts.secondaryTransaction().takesPart()) {
            return Boolean.TRUE;
        }
        return null;
    }

    /**
     * Whether the request can run on the secondary as it is: statements that only read, each one known, and portals
     * it binds itself (a portal bound by an earlier request that was not shadowed exists on the primary only).
     */
    private boolean copiable(UnitPlan plan) {
        Set<String> portals = new HashSet<>();
        for (int index = 0; index < plan.messages().size(); index++) {
            PgMessage message = plan.messages().get(index);
            switch (message.type()) {
                case FrontendMessageType.QUERY -> {
                    if (!ReadRouting.onlyReads(context.classifications().classify(Query.textOf(message)))) {
                        return false;
                    }
                }
                case FrontendMessageType.BIND -> {
                    StatementBook.Statement statement = plan.statementAt(index);
                    if (statement == null || !ReadRouting.onlyReads(statement.classification())) {
                        return false;
                    }
                    portals.add(Bind.portalOf(message));
                }
                case FrontendMessageType.EXECUTE -> {
                    if (!portals.contains(Execute.portalOf(message))) {
                        return false;
                    }
                }
                case FrontendMessageType.FUNCTION_CALL -> {
                    return false;
                }
                default -> {
                }
            }
        }
        return true;
    }

    /**
     * Whether an answer depends on the database rather than the data: its clock or randomness ({@code now()},
     * {@code random()}), or its own workings ({@code EXPLAIN}'s plans and times, {@code SHOW}'s settings). Both
     * answers would differ without either database being wrong.
     */
    private boolean dependsOnDatabase(UnitPlan plan) {
        for (String sql : plan.executedSql()) {
            String leading = sql.stripLeading().toLowerCase(Locale.ROOT);
            if (leading.startsWith("explain") || leading.startsWith("show")) {
                return true;
            }
            Classification classification = context.classifications().classify(sql);
            if (NondeterministicValues.firstIn(sql, classification) != null) {
                return true;
            }
        }
        return false;
    }

    /** For each result set the request answers with, whether its statement orders its rows. */
    private static List<Boolean> orderedResults(UnitPlan plan) {
        List<String> texts = plan.simple() ? StatementTexts.split(plan.statementText()) : plan.executedSql();
        List<Boolean> ordered = new ArrayList<>(texts.size());
        for (String sql : texts) {
            ordered.add(TopLevelOrder.orders(sql));
        }
        return ordered;
    }

    private static int readyForQueries(UnitPlan plan) {
        int count = 0;
        for (PgMessage message : plan.messages()) {
            if (message.type() == FrontendMessageType.QUERY || message.type() == FrontendMessageType.SYNC) {
                count++;
            }
        }
        return count;
    }
}
