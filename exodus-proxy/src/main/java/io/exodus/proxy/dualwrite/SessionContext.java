package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.metrics.DualWriteMetrics;
import io.exodus.proxy.session.RelayHost;
import io.exodus.proxy.session.SessionServices;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;

/**
 * What the parts of one dual-write session work on, fixed for the session's life: the session (its label in log
 * lines), the services of the proxy and of dual-write, the login, the legs by role, the statement book, the
 * transaction, how the database's statements are classified, the legs' meters, what goes to the client, the
 * statements the session prepared, and the session's own helpers that depend on nothing else of it: the planner, the
 * builder of each leg's requests, the session's temporary tables, large objects and custom settings. A part is given this instead of the
 * relay, so that nothing it does reaches back into the relay's intake and dispatch.
 */
record SessionContext(RelayHost session, SessionServices services, DualWriteServices dual, BackendLogin login,
        Legs legs, StatementBook book, CurrentTransaction transaction, ClassificationCache classifications,
        DualWriteMetrics legMetrics, ClientReply client, SessionPrepares prepares, UnitPlanner planner,
        SecondaryRequests requests, SessionTemporaryTables temporaryTables, LargeObjectImages largeObjects,
        CustomSettings customSettings) {

    /** Sends the request (from message {@code from} on) to the primary, whose answers go to the client as they come. */
    Future<LegReply> primaryAnswersClient(UnitPlan plan, int from) {
        Leg primary = legs.primary();
        SecondaryRequests.PrimaryRequest request = requests.primary(plan, from, primary.unnamedStatementLive());
        return primary.send(request.buffer(), 1, request.answersTo(client.primaryAnswers()));
    }

    /**
     * After a request that reached the primary: a simple Query that ran outside a transaction and prepared a
     * statement made it the session's, which a replay of the session's later transactions needs.
     */
    void recordSessionState(UnitPlan plan, LegReply reply) {
        if (!reply.failed() && plan.simple() && legs.primary().transactionStatus() == TransactionStatus.IDLE) {
            prepares.record(plan.statementText(), classifications.classify(plan.statementText()));
        }
    }

    /** The session in log lines: see {@link RelayHost#label()}. */
    String label() {
        return session.label();
    }
}
