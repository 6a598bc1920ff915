package io.exodus.proxy.consistency;

import io.exodus.proxy.sql.Identifiers;
import io.exodus.proxy.wire.RowDescription;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes on the secondary exactly the rows an INSERT wrote on the primary. Run again on the secondary, an INSERT
 * would draw other sequence numbers, timestamps, UUIDs or random numbers; instead the primary runs it with
 * {@code RETURNING *} ({@link io.exodus.proxy.sql.RowImageReturning}) and this class turns the returned rows into an
 * INSERT of those very values:
 * <pre>
 * INSERT INTO schema.table ("a", "b", …) OVERRIDING SYSTEM VALUE VALUES ($1, $2, …)
 * </pre>
 * sent once as a Parse of the unnamed statement, then one Bind (unnamed portal, the values in the format the
 * primary sent them) and Execute per row. No Sync: the caller ends the round as it needs.
 * <p>
 * Columns: the returned fields that are columns of the table ({@link RowDescription.Field#tableOid()} is the
 * table's, {@link RowDescription.Field#columnNumber()} positive), in the order they came, except stored generated
 * columns, which the secondary computes itself and which reject any value. {@code OVERRIDING SYSTEM VALUE} lets the
 * values into {@code GENERATED ALWAYS AS IDENTITY} columns; PostgreSQL accepts it (and ignores it) for tables
 * without identity columns too, so it is always there. A table whose every column is generated gets
 * {@code DEFAULT VALUES} (which cannot be combined with OVERRIDING).
 * <p>
 * Parameter types: the fields' type OIDs when they are built-in (below 10000, the same in every PostgreSQL
 * cluster), 0 otherwise, so that the secondary takes the type of the target column: a user-defined type (enum,
 * extension type) has another OID on each server. Binary values of arrays of user-defined types and of composite
 * types carry those OIDs inside them, so the secondary rejects them; such rows must come in text format.
 * <p>
 * The secondary's sequences are not advanced by the explicit values; that is for whoever promotes it.
 */
public final class RowImageInsert {

    private RowImageInsert() {
    }

    /**
     * The Parse, Bind and Execute messages that insert {@code rows} into the secondary's copy of {@code shape};
     * an empty buffer when there are no rows.
     *
     * @param returned the primary's RowDescription of the rows
     * @param rows     the values of each DataRow, in the formats {@code returned} announced, {@code null} for NULL
     */
    public static Buffer messages(TableShape shape, RowDescription returned, List<List<byte[]>> rows) {
        return RowImageBinds.messages(statement(shape, returned), returned, insertedFieldIndexes(shape, returned),
                rows);
    }

    /**
     * How many CommandCompletes ({@code INSERT 0 1}) the secondary answers {@link #messages} with: one per row.
     * Before them comes one ParseComplete, and each is preceded by a BindComplete; none of it when there are no rows.
     */
    public static int expectedCommandCompletes(List<List<byte[]>> rows) {
        return rows.size();
    }

    /** The INSERT text that {@link #messages} parses. */
    public static String statement(TableShape shape, RowDescription returned) {
        List<Integer> columns = insertedFieldIndexes(shape, returned);
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(shape.qualifiedName());
        if (columns.isEmpty()) {
            return sql.append(" DEFAULT VALUES").toString();
        }
        sql.append(" (");
        for (int p = 0; p < columns.size(); p++) {
            short number = returned.fields().get(columns.get(p)).columnNumber();
            sql.append(p == 0 ? "" : ", ").append(Identifiers.quote(shape.columnName(number)));
        }
        sql.append(") OVERRIDING SYSTEM VALUE VALUES (");
        for (int p = 1; p <= columns.size(); p++) {
            sql.append(p == 1 ? "$" : ", $").append(p);
        }
        return sql.append(')').toString();
    }

    private static List<Integer> insertedFieldIndexes(TableShape shape, RowDescription returned) {
        List<RowDescription.Field> fields = returned.fields();
        List<Integer> indexes = new ArrayList<>(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            RowDescription.Field field = fields.get(i);
            if (field.tableOid() == shape.tableOid() && field.columnNumber() > 0
                    && !shape.isGenerated(field.columnNumber())) {
                indexes.add(i);
            }
        }
        return indexes;
    }
}
