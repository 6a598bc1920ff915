package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.sql.CreateTableAs;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.CommandComplete;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.SessionMessages;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.function.Function;

/**
 * A {@code CREATE TABLE … AS} whose query draws values that would differ on each database ({@code random()},
 * {@code now()}, {@code gen_random_uuid()}) or reads other tables (which the secondary would read later, as they are
 * then): run as its two halves in one transaction ({@link CreateTableAs}), the table made empty on both databases,
 * then filled by an {@code INSERT … SELECT} whose rows reach the secondary as a row image, so that both hold the
 * primary's rows. A simple Query, or an extended request that runs the statement alone ({@link LoneTableFromQuery}).
 * Each half is an ordinary write of the engine (its policy, its queueing); an autocommit CTAS gets a transaction of its
 * own around them, as PostgreSQL runs it in one. The client sees one statement: {@code SELECT n} with the notices, or
 * the first error.
 */
final class TableFromQuery {
    private final Legs legs;
    private final ClientReply client;
    private final UnitPlanner planner;
    /** Runs one step as a request of its own, through the engine (its policy, its queueing). */
    private final Function<UnitPlan, Future<Void>> runStep;

    TableFromQuery(SessionContext context, UnitPlanner planner, Function<UnitPlan, Future<Void>> runStep) {
        this.legs = context.legs();
        this.client = context.client();
        this.planner = planner;
        this.runStep = runStep;
    }

    Future<Void> run(UnitPlan plan) {
        CreateTableAs statement = CreateTableAs.parse(plan.statementText()).orElseThrow();
        Leg primary = legs.primary();
        LoneTableFromQuery lone = plan.simple() ? null : LoneTableFromQuery.of(plan.messages(), plan.statements());
        // The answers to an extended request's messages before the statement's Execute, which all succeed.
        Buffer before = lone == null ? Buffer.buffer(0)
                : ReplySynthesizer.answers(plan.messages().subList(0, lone.execute()), "BEGIN");
        String clientBegin = lone == null ? null : lone.begin();
        boolean own = clientBegin == null && primary.transactionStatus() == TransactionStatus.IDLE;
        int start = client.hold();
        Future<Void> steps = (own ? step("BEGIN") : clientBegin != null ? step(clientBegin)
                : Future.<Void>succeededFuture())
                .compose(v -> failed(start) ? done() : step(statement.withNoData()))
                .compose(v -> failed(start) ? done() : step(statement.insert()))
                .compose(v -> !own ? done() : failed(start) ? step("ROLLBACK") : step("COMMIT"));
        return steps.eventually(() -> {
            Buffer reply = before.appendBuffer(oneAnswer(client.from(start), primary.transactionStatus()));
            client.truncate(start);
            client.add(reply);
            client.release(primary.transactionStatus());
            return Future.succeededFuture();
        });
    }

    private Future<Void> step(String sql) {
        return runStep.apply(planner.plan(List.of(FrontendMessages.queryMessage(sql))));
    }

    private boolean failed(int start) {
        return client.failedFrom(start) || legs.primary().transactionStatus() == TransactionStatus.FAILED;
    }

    private static Future<Void> done() {
        return Future.succeededFuture();
    }

    /**
     * The answers of the steps as the answer to the one statement: their notices, then the first error, or the
     * INSERT's count as the CTAS's {@code SELECT n}; one ReadyForQuery.
     */
    static Buffer oneAnswer(Buffer steps, TransactionStatus status) {
        Buffer out = Buffer.buffer(steps.length());
        Buffer error = null;
        long rows = 0;
        for (int at = 0; at + 5 <= steps.length(); at += 1 + steps.getInt(at + 1)) {
            byte type = steps.getByte(at);
            Buffer message = steps.getBuffer(at, at + 1 + steps.getInt(at + 1));
            if (type == BackendMessageType.ERROR_RESPONSE && error == null) {
                error = message;
            } else if (type == BackendMessageType.COMMAND_COMPLETE) {
                String tag = CommandComplete.tag(message.slice(5, message.length()));
                if (tag.startsWith("INSERT ")) {
                    rows = CommandComplete.rowCount(tag);
                }
            } else if (type != BackendMessageType.READY_FOR_QUERY) {
                out.appendBuffer(message);
            }
        }
        out.appendBuffer(error != null ? error : ReplySynthesizer.commandComplete("SELECT " + rows));
        return out.appendBuffer(SessionMessages.readyForQuery(status));
    }
}
