package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.TableShape;
import io.exodus.proxy.consistency.TableShapeQuery;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Future;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog facts of the tables a request's captured rows belong to ({@link TableShape}), read from the primary
 * inside the client's transaction, where they are as the statement just saw them, and cached per server, database and
 * table OID (DDL forgets them, see {@link SchemaChanges}).
 */
final class TableShapes {
    private TableShapes() {
    }

    /** The shapes by table OID; null when a table cannot be found (rows of no table, a table dropped meanwhile). */
    static Future<Map<Integer, TableShape>> of(Legs legs, DualWriteServices dual,
            List<PrimaryRowImageFilter.Capture> captures) {
        if (captures.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        Map<Integer, TableShape> shapes = new HashMap<>();
        Future<Void> chain = Future.succeededFuture();
        for (PrimaryRowImageFilter.Capture capture : captures) {
            int table = CapturedImages.tableOf(capture);
            if (capture.rows().isEmpty() && table == 0) {
                continue;
            }
            // An INSERT that returned no rows is looked at too: a trigger may have put them all elsewhere.
            if (table == 0) {
                return Future.succeededFuture(null);
            }
            chain = chain.compose(v -> one(legs, dual, table).map(shape -> {
                if (shape != null) {
                    shapes.put(table, shape);
                }
                return null;
            }));
        }
        return chain.map(v -> {
            for (PrimaryRowImageFilter.Capture capture : captures) {
                if (!capture.rows().isEmpty() && !shapes.containsKey(CapturedImages.tableOf(capture))) {
                    return null;
                }
            }
            return shapes;
        });
    }

    private static Future<TableShape> one(Legs legs, DualWriteServices dual, int table) {
        String key = legs.primary().database() + "/" + legs.database() + "/" + table;
        TableShape known = dual.tableShapes().get(key);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        TextRows rows = new TextRows();
        return legs.primary().send(FrontendMessages.query(TableShapeQuery.sql(table)), 1, rows).map(reply -> {
            if (reply.failed() || rows.rows().isEmpty()) {
                return null;
            }
            TableShape shape = TableShape.fromRows(rows.rows());
            dual.tableShapes().put(key, shape);
            return shape;
        });
    }
}
