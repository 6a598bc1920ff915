package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.sql.Identifiers;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A session's primary changes database between two of its transactions (a cutover, a rollback): a connection to the
 * new primary is opened and given what the session set up on the old one, read from the old one itself (see
 * {@link SessionAdoption}): its settings with role and session authorization, its PREPAREs, its protocol-level
 * prepared statements (parsed as the client wrote them, under the client's names) and its LISTENs. The old connection
 * is closed then. What lives only in the old connection (temporary tables, cursors held across transactions,
 * session-level advisory locks) cannot move: the session is then closed, and its client told to reconnect.
 */
public final class PrimaryMove {

    private PrimaryMove() {
    }

    /**
     * Moves the session held by {@code from} (idle, between transactions) to a new connection opened with {@code to};
     * completes with the new connection, or fails with what kept the session from moving, both connections closed.
     */
    public static Future<BackendConnection> move(BackendConnection from, BackendConnector to, BackendLogin login,
            DualWriteServices dual, int maxMessageSize, Set<String> customNames) {
        Leg old = new Leg(from, maxMessageSize);
        old.start();
        return SessionAdoption.read(old, customNames).compose(setup -> {
            List<String> kept = new ArrayList<>(setup.obstacles());
            kept.addAll(setup.primaryBound());
            if (!kept.isEmpty()) {
                return Future.failedFuture("it holds " + String.join(", ", kept) + ", which live in its connection to "
                        + "the old primary alone");
            }
            List<String> state = SessionAdoption.stateStatements(setup, dual.functions().of(login.database()).classifications());
            if (state == null) {
                return Future.failedFuture(SessionAdoption.MULTI_STATEMENT_PREPARE);
            }
            setup.listening().forEach(channel -> state.add("LISTEN " + Identifiers.quote(channel)));
            return to.open(login).compose(connection -> {
                Leg moved = new Leg(connection, maxMessageSize);
                moved.start();
                return given(moved, state, setup).transform(done -> {
                    if (done.succeeded() && done.result() == null) {
                        return Future.succeededFuture(moved.release());
                    }
                    moved.close();
                    return Future.failedFuture(done.failed() ? done.cause().getMessage()
                            : "the new primary refused the session's state: " + done.result());
                });
            });
        }).andThen(result -> old.close());
    }

    /** Runs the state statements, then parses the protocol-level statements; completes with a refusal or null. */
    private static Future<String> given(Leg leg, List<String> state, SessionAdoption.SessionSetup setup) {
        return SessionAdoption.give(leg, state).compose(refused -> {
            if (refused != null || setup.prepared().isEmpty()) {
                return Future.succeededFuture(refused);
            }
            Buffer parses = Buffer.buffer();
            for (SessionAdoption.Prepared statement : setup.prepared()) {
                FrontendMessages.appendParse(parses, statement.name(), statement.sql(), statement.parameterTypes());
            }
            FrontendMessages.appendSync(parses);
            return leg.send(parses, 1, Leg.DISCARD)
                    .map(parsed -> parsed.failed() ? SessionAdoption.refusal(parsed) : null);
        });
    }
}
