package io.exodus.proxy.dualwrite;

import io.exodus.proxy.functions.DatabaseFunctions;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.RoutineChanges;
import io.exodus.proxy.sql.StatementKind;

import java.util.Map;

/**
 * Keeps the cached table shapes of row images ({@link DualWriteServices#tableShapes()}) true to the catalog. A
 * shape that outlives an ALTER TABLE makes the secondary get wrong rows: a column whose expression was dropped is
 * still left out as generated (the target stores NULL), a dropped or added column shifts the others. So the shapes of
 * a database are forgotten when a request that may change a table runs there, and again when the transaction that
 * ran it ends (a shape read inside it, from its uncommitted catalog, must not serve other sessions afterwards).
 * <p>
 * It does the same for the database's functions ({@link DatabaseFunctions}): a request that may change one (DDL
 * naming a function, procedure or extension, a DO block) makes every function of the database count as a write
 * until its transaction has ended and the functions have been read again, so that a call to a function just made
 * volatile runs on both databases, in this session and in every other. Any DDL or DO block holds the database's
 * answer to whether objects run code implicitly ({@link DatabaseFunctions#holdSchema}) the same way: a trigger made
 * in it may change a session's settings where no session sends the change.
 */
final class SchemaChanges {
    private final Map<String, ?> tableShapes;
    private final DatabaseFunctions functions;
    private final ClassificationCache classifications;
    private final String databasePrefix;
    /** The current transaction ran a request that may have changed a table. */
    private boolean inTransaction;
    /** The current transaction (or request) may have changed a function: {@link #functions} is held. */
    private boolean holdingFunctions;
    /** The current transaction (or request) ran DDL: {@link #functions}' schema is held. */
    private boolean holdingSchema;
    private boolean closed;

    SchemaChanges(Map<String, ?> tableShapes, DatabaseFunctions functions, String primaryDatabase, String database) {
        this.tableShapes = tableShapes;
        this.functions = functions;
        this.classifications = functions.classifications();
        this.databasePrefix = primaryDatabase + "/" + database + "/";
        functions.sessionOpened();
    }

    /**
     * Before a request: forgets the database's shapes if it may change a table (a row image later in the same request
     * must not find the old shape). Returns whether it may, for {@link #afterRequest}.
     */
    boolean beforeRequest(UnitPlan plan) {
        boolean changes = false;
        for (String sql : plan.executedSql()) {
            boolean ddl = false;
            for (Classification statement : classifications.classify(sql).statements()) {
                ddl |= statement.kind() == StatementKind.DDL;
            }
            changes |= ddl;
            if (!holdingSchema && (ddl || RoutineChanges.mayBeDoBlock(sql))) {
                holdingSchema = true;
                functions.holdSchema();
            }
            // Lexed again only for DDL and DO blocks, which are rare: every other request pays the cached lookup only.
            if (!holdingFunctions && (ddl || RoutineChanges.mayBeDoBlock(sql))
                    && RoutineChanges.mayChangeFunctions(sql)) {
                holdingFunctions = true;
                functions.hold();
            }
        }
        if (changes) {
            forget();
        }
        return changes;
    }

    /** After a request that may have changed a table: forgets its database's shapes again. */
    void afterRequest(boolean changedTables, boolean inTransactionNow) {
        if (changedTables) {
            forget();
            inTransaction |= inTransactionNow;
        }
        if (!inTransactionNow) {
            releaseFunctions();
        }
    }

    /** The transaction ended: shapes read inside one that changed a table are forgotten too. */
    void transactionEnded() {
        if (inTransaction) {
            forget();
            inTransaction = false;
        }
        releaseFunctions();
    }

    /** The session ends: whatever it held is let go. */
    void sessionClosed() {
        if (!closed) {
            closed = true;
            releaseFunctions();
            functions.sessionClosed();
        }
    }

    private void releaseFunctions() {
        if (holdingFunctions) {
            holdingFunctions = false;
            functions.release();
        }
        if (holdingSchema) {
            holdingSchema = false;
            functions.releaseSchema();
        }
    }

    private void forget() {
        tableShapes.keySet().removeIf(key -> key.startsWith(databasePrefix));
    }
}
