package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.migration.TenantKey;
import io.exodus.proxy.session.RelayHost;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.FunctionVolatility;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.sql.TransactionVerb;
import io.exodus.proxy.wire.Bind;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.NamedObject;
import io.exodus.proxy.wire.ParameterStatus;
import io.exodus.proxy.wire.Parse;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.Query;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a dual-write session's read-only request ({@link UnitShape#READ}) runs: on the primary, or, in phase canary,
 * on the secondary for a share of the reads that only read. Reads need neither lockstep nor the secondary's answer,
 * so they have their own path; the canary's choice of which reads may go to the secondary, and its fallback to the
 * primary when the secondary is lost before it answered, live here with it.
 */
final class ReadRouting {
    private final SessionParts parts;
    private final SessionContext context;
    private final Legs legs;
    private final RelayHost session;
    private final DualWriteServices dual;
    private final StatementBook book;
    private final ShadowRead shadow;
    /**
     * Whose share of canary reads this session follows (the user-by-user strategy): named when it connected, and by
     * {@code application_name} as the server reports it when that is the key (pgJDBC sets it after the startup).
     */
    private String tenant;

    ReadRouting(SessionParts parts, String tenant) {
        this.parts = parts;
        this.context = parts.context();
        this.legs = context.legs();
        this.session = context.session();
        this.dual = context.dual();
        this.book = context.book();
        this.tenant = tenant;
        this.shadow = new ShadowRead(parts);
    }

    /** Follows the session's {@code application_name} on the primary when that names its tenant. */
    void followTenantOn(Leg primary) {
        if (dual.migration().tenantKey() == TenantKey.APPLICATION_NAME) {
            primary.watchSettings(this::settingReported);
        }
    }

    private void settingReported(ParameterStatus reported) {
        if (reported.name().equals("application_name")) {
            tenant = reported.value();
        }
    }

    Future<Void> read(UnitPlan plan, int ahead) {
        if (ahead == 0 && dual.migration().canaryPercent(tenant) > 0 && !legs.secondaryUsable()
                && legs.primary().transactionStatus() == TransactionStatus.IDLE) {
            // A session that only reads gets its lost target back here, for canary reads (at most every
            // exodus.migration.secondary-reconnect-interval).
            return parts.secondaryConnection().reconnectIfDue().compose(v -> routedRead(plan, ahead));
        }
        return routedRead(plan, ahead);
    }

    private Future<Void> routedRead(UnitPlan plan, int ahead) {
        if (ahead == 0 && canaryRead(plan)) {
            return readOnSecondary(plan);
        }
        long started = System.nanoTime();
        boolean outsideTransaction = legs.primary().transactionStatus() == TransactionStatus.IDLE;
        // A request that Flushes sent partly ahead is not shadowed: its first part ran on the primary alone.
        Future<LegReply> reply = ahead == 0 ? shadow.runIfShadowed(plan) : null;
        if (reply == null) {
            reply = context.primaryAnswersClient(plan, ahead);
            Buffer closes = context.requests().closesOnly(plan);
            if (closes != null && legs.secondaryUsable()) {
                legs.secondary().send(closes, 1, Leg.DISCARD);
            }
        }
        if (outsideTransaction && ahead == 0) {
            // The canary's yardstick: the reads the primary answers that it could have sent to the secondary.
            reply.onSuccess(r -> dual.reads().answered(legs.primarySide(), started, r.failed()));
        }
        return reply.mapEmpty();
    }

    /**
     * Phase canary: whether this read goes to the secondary. Only a read outside a transaction, of statements that
     * only read, whose named statements the secondary has, and never while the database's replay queue has entries:
     * the secondary may lack writes then, this session's own among them (read-your-writes). The pin clears by itself
     * when the queue has drained. Statements the analyzer pins to the source stay there too.
     */
    private boolean canaryRead(UnitPlan plan) {
        double percent = dual.migration().canaryPercent(tenant);
        if (percent <= 0 || legs.primary().transactionStatus().inBlock() || !legs.secondaryUsable()
                || !legs.secondary().isIdle() || legs.secondary().transactionStatus().inBlock()
                || parts.queue().mustQueue() || !canaryEligible(plan)) {
            return false;
        }
        return percent >= 100 || ThreadLocalRandom.current().nextDouble(100) < percent;
    }

    private boolean canaryEligible(UnitPlan plan) {
        for (PgMessage message : plan.messages()) {
            switch (message.type()) {
                case FrontendMessageType.QUERY -> {
                    String sql = Query.textOf(message);
                    if (!onlyReads(context.classifications().classify(sql)) || pinned(sql)) {
                        return false;
                    }
                }
                case FrontendMessageType.PARSE -> {
                    String sql = Parse.of(message).sql();
                    if (!onlyReads(context.classifications().classify(sql)) || pinned(sql)) {
                        return false;
                    }
                }
                case FrontendMessageType.BIND -> {
                    StatementBook.Statement statement = book.statement(Bind.of(message).statement());
                    if (statement == null || !onlyReads(statement.classification()) || pinned(statement.sql())) {
                        return false;
                    }
                }
                case FrontendMessageType.CLOSE -> {
                    if (!NamedObject.of(message).portal()) {
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

    /** A statement the analyzer pins to the source (its recommendations' {@code pinnedStatements}). */
    private boolean pinned(String sql) {
        return dual.migration().keepsOnSource(sql);
    }

    static boolean onlyReads(Classification classification) {
        if (classification.kind() != StatementKind.READ || classification.locking()
                || classification.transactionVerb() != TransactionVerb.NONE) {
            return false;
        }
        for (String call : classification.functionCalls()) {
            // Its answer (a pid, a transaction id, a terminated session) belongs to the primary.
            if (FunctionVolatility.isServerLocal(call)) {
                return false;
            }
        }
        for (Classification part : classification.parts()) {
            if (!onlyReads(part)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A canary read: the secondary answers the client. If its connection is lost before it answered anything, the
     * primary answers instead; after that, the client's request has failed half-way, as with a lost source.
     */
    private Future<Void> readOnSecondary(UnitPlan plan) {
        Leg secondary = legs.secondary();
        Buffer out = Buffer.buffer(128);
        Buffer parseAhead = null;
        Buffer parseOnPrimary = null;
        Set<String> parsedHere = new HashSet<>();
        for (PgMessage message : plan.messages()) {
            if (message.type() == FrontendMessageType.PARSE) {
                String name = Parse.statementOf(message);
                parsedHere.add(name);
                book.onSecondary().add(name);
                if (!name.isEmpty()) {
                    // A named statement is the primary's too: later writes bind it there.
                    parseOnPrimary = parseOnPrimary == null ? Buffer.buffer() : parseOnPrimary;
                    SecondaryRequests.appendFramed(parseOnPrimary, message);
                }
            } else if (message.type() == FrontendMessageType.BIND) {
                String name = Bind.of(message).statement();
                if (!parsedHere.contains(name) && !book.isOnSecondary(name)) {
                    // Parsed ahead in a request of its own, so that the client sees no ParseComplete it did not ask for.
                    parseAhead = parseAhead == null ? Buffer.buffer() : parseAhead;
                    SecondaryRequests.appendFramed(parseAhead, book.statement(name).parse());
                    parsedHere.add(name);
                    book.onSecondary().add(name);
                }
            }
            SecondaryRequests.appendFramed(out, message);
        }
        if (parseOnPrimary != null) {
            legs.primary().send(FrontendMessages.appendSync(parseOnPrimary), 1, Leg.DISCARD);
        }
        if (parseAhead != null) {
            secondary.send(FrontendMessages.appendSync(parseAhead), 1, Leg.DISCARD);
        }
        int[] forwarded = {0};
        Leg.Sink sink = message -> {
            forwarded[0]++;
            context.client().add(message);
        };
        dual.metrics().canaryRead();
        long started = System.nanoTime();
        return secondary.send(out, 1, sink).compose(reply -> {
            dual.reads().answered(legs.primarySide().other(), started, reply.failed());
            if (!reply.lostConnection()) {
                return Future.succeededFuture();
            }
            if (forwarded[0] == 0) {
                return read(plan, 0);
            }
            session.closeWithError(ErrorResponse.fatal(SqlState.CONNECTION_FAILURE,
                    "the connection to the target was lost while it answered a canary read"));
            return Future.succeededFuture();
        });
    }
}
