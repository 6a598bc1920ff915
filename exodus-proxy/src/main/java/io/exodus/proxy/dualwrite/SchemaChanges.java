package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.StatementKind;

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

    /**
     * Before a request: forgets the database's shapes if it may change a table (a row image later in the same request
     * must not find the old shape). Returns whether it may, for {@link #afterRequest}.
     */
    boolean beforeRequest(UnitPlan plan) {
        boolean changes = mayChangeTables(plan);
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

    /** DDL among the statements the request runs. */
    private boolean mayChangeTables(UnitPlan plan) {
        for (String sql : plan.executedSql()) {
            for (Classification statement : classifications.classify(sql).statements()) {
                if (statement.kind() == StatementKind.DDL) {
                    return true;
                }
            }
        }
        return false;
    }
}
