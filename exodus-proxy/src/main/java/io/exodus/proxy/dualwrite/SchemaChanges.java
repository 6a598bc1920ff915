package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.wire.FrontendMessageType;

import java.util.Map;

/**
 * Keeps the cached table shapes of row images ({@link DualWriteServices#tableShapes()}) true to the catalog. A
 * shape that outlives an ALTER TABLE makes the secondary get wrong rows: a column whose expression was dropped is
 * still left out as generated (the target stores NULL), a dropped or added column shifts the others. So the shapes of
 * a database are forgotten when a request that may change a table runs there, and again when the transaction that
 * ran it ends (a shape read inside it, from its uncommitted catalog, must not serve other sessions afterwards).
 */
final class SchemaChanges {
    private final Map<String, ?> tableShapes;
    private final ClassificationCache classifications;
    private final String databasePrefix;
    /** The current transaction ran a request that may have changed a table. */
    private boolean inTransaction;

    SchemaChanges(Map<String, ?> tableShapes, ClassificationCache classifications, String primaryDatabase,
            String database) {
        this.tableShapes = tableShapes;
        this.classifications = classifications;
        this.databasePrefix = primaryDatabase + "/" + database + "/";
    }

    /** Before a request that may change a table: a row image later in the same request must not find the old shape. */
    void beforeRequest(UnitPlan plan) {
        if (mayChangeTables(plan)) {
            forget();
        }
    }

    /** After a request: forgets the database's shapes if it may have changed a table. */
    void afterRequest(UnitPlan plan, boolean inTransactionNow) {
        if (mayChangeTables(plan)) {
            forget();
            inTransaction |= inTransactionNow;
        }
    }

    /** The transaction ended: shapes read inside one that changed a table are forgotten too. */
    void transactionEnded() {
        if (inTransaction) {
            forget();
            inTransaction = false;
        }
    }

    private void forget() {
        tableShapes.keySet().removeIf(key -> key.startsWith(databasePrefix));
    }

    /** DDL among the statements the request runs (a simple Query's text, or the extended statements it executes). */
    boolean mayChangeTables(UnitPlan plan) {
        if (plan.simple()) {
            for (Classification statement : classifications.classify(plan.statementText()).statements()) {
                if (statement.kind() == StatementKind.DDL) {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i < plan.messages().size(); i++) {
            StatementBook.Statement statement = plan.statementAt(i);
            if (plan.messages().get(i).type() == FrontendMessageType.EXECUTE && statement != null
                    && statement.classification().kind() == StatementKind.DDL) {
                return true;
            }
        }
        return false;
    }
}
