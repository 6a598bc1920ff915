package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The prepared statements and portals of one dual-write session. A protocol-level statement is parsed on the
 * primary when the client parses it, and on the secondary only when a batch that runs on both legs first binds it
 * (a read-only statement never costs the secondary anything); its Parse message is kept for that. SQL-level
 * {@code PREPARE}d statements run on both legs anyway, so only their classification is kept, for EXECUTE.
 */
final class StatementBook {

    /**
     * One protocol-level statement.
     *
     * @param rowImage set when the primary runs it with {@code RETURNING *} so that the secondary gets the rows' values
     */
    record Statement(String sql, Classification classification, PgMessage parse, Optional<RowImageReturning> rowImage) {
    }

    private final Map<String, Statement> statements = new HashMap<>();
    private final Map<String, String> portals = new HashMap<>();
    private final Set<String> onSecondary = new HashSet<>();
    private final Map<String, Classification> sqlPrepared = new HashMap<>();
    /** SQL-level cursors whose query writes (see {@link #cursorDeclared}). */
    private final Set<String> writingCursors = new HashSet<>();

    void parsed(String name, Statement statement) {
        statements.put(name, statement);
        if (name.isEmpty()) {
            // A new unnamed statement replaces the old one on the primary; the secondary's copy is stale now.
            onSecondary.remove(name);
        }
    }

    Statement statement(String name) {
        return statements.get(name);
    }

    void bound(String portal, String statement) {
        portals.put(portal, statement);
    }

    /** The statement a portal runs, or null when the portal is not known (bound in an earlier transaction). */
    Statement portalStatement(String portal) {
        String statement = portals.get(portal);
        return statement == null ? null : statements.get(statement);
    }

    void closedStatement(String name) {
        statements.remove(name);
    }

    void closedPortal(String name) {
        portals.remove(name);
    }

    /** The statements parsed on the current secondary connection (changed in place by the request builder). */
    Set<String> onSecondary() {
        return onSecondary;
    }

    boolean isOnSecondary(String name) {
        return onSecondary.contains(name);
    }

    void forgetOnSecondary(String name) {
        onSecondary.remove(name);
    }

    /** The secondary leg was replaced by a new connection: nothing is prepared there yet. */
    void secondaryReset() {
        onSecondary.clear();
    }

    void sqlPrepared(String name, Classification inner) {
        sqlPrepared.put(name, inner);
    }

    /** The classification of what {@code EXECUTE name} runs, or null when the name is unknown. */
    Classification sqlPrepared(String name) {
        return sqlPrepared.get(name);
    }

    void sqlDeallocated(String name) {
        sqlPrepared.remove(name);
        // DEALLOCATE also drops a protocol-level statement of that name.
        statements.remove(name);
        onSecondary.remove(name);
    }

    /**
     * A cursor was declared: whether its query writes (calls a function that writes, locks rows), so that each FETCH
     * of it runs on both legs, where the DECLARE ran. A name declared again is judged again.
     */
    void cursorDeclared(String name, boolean writes) {
        if (writes) {
            writingCursors.add(name);
        } else {
            writingCursors.remove(name);
        }
    }

    /** Whether FETCH or MOVE on that cursor runs a query that writes. */
    boolean cursorWrites(String name) {
        return writingCursors.contains(name);
    }

    void cursorClosed(String name) {
        writingCursors.remove(name);
    }

    /** CLOSE ALL. */
    void allCursorsClosed() {
        writingCursors.clear();
    }

    /** DISCARD ALL, DEALLOCATE ALL: every prepared statement is gone on both legs. */
    void deallocatedAll() {
        sqlPrepared.clear();
        statements.clear();
        onSecondary.clear();
        portals.clear();
    }

    /**
     * The statement of that name runs as the client parsed it from now on, without its row image; returns the Close
     * and Parse messages that give it back to the primary so (none when it has no image or no Parse of its own).
     */
    Buffer withoutImage(String name) {
        Statement statement = statements.get(name);
        Buffer out = Buffer.buffer();
        if (statement == null || statement.rowImage().isEmpty() || statement.parse() == null) {
            return out;
        }
        statements.put(name, new Statement(statement.sql(), statement.classification(), statement.parse(),
                Optional.empty()));
        FrontendMessages.appendCloseStatement(out, name);
        SecondaryRequests.appendFramed(out, statement.parse());
        return out;
    }

    /**
     * Close and Parse messages that give the primary back each statement it runs with {@code RETURNING *} for a row
     * image, as the client parsed it: for a relay that passes answers on untouched.
     */
    Buffer restoreAsParsed() {
        Buffer out = Buffer.buffer();
        statements.forEach((name, statement) -> {
            if (statement.rowImage().isPresent() && statement.parse() != null) {
                FrontendMessages.appendCloseStatement(out, name);
                SecondaryRequests.appendFramed(out, statement.parse());
            }
        });
        return out;
    }
}
