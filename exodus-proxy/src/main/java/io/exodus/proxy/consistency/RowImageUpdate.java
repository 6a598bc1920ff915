package io.exodus.proxy.consistency;

import io.exodus.proxy.sql.Identifiers;
import io.exodus.proxy.wire.RowDescription;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Sets on the secondary exactly the values an UPDATE gave its rows on the primary. Run again on the secondary, an
 * UPDATE that computes {@code now()}, {@code random()}, {@code nextval()} or a column's {@code DEFAULT} would store
 * other values; instead the primary runs it with {@code RETURNING t.*} ({@link io.exodus.proxy.sql.UpdateReturning})
 * and this class turns each returned row into
 * <pre>
 * UPDATE schema.table SET "a" = $1, "b" = $2 WHERE "id" = $3
 * </pre>
 * for the columns the statement's SET list assigns, the row found by its primary key: one Parse of the unnamed
 * statement, then one Bind and Execute per row ({@link RowImageBinds}), each answered {@code UPDATE 1} when the
 * secondary has the row. A row the secondary lacks answers {@code UPDATE 0}, a divergence the caller reports.
 * <p>
 * {@link #refusal} says when the catalog rules an image out; the statement's text then runs on the secondary and is
 * counted as one whose values may differ.
 */
public final class RowImageUpdate {
    private RowImageUpdate() {
    }

    /**
     * Why the rows of this UPDATE cannot be copied as an image, or null when they can: the table has no primary key,
     * the statement assigns a key column (the new key would find no row), a stored generated column or a
     * {@code GENERATED ALWAYS} identity (both refuse a value), or a column the returned rows lack.
     */
    public static String refusal(TableShape shape, RowDescription returned, List<String> assigned) {
        if (shape.keyColumns().isEmpty()) {
            return "its table " + shape.qualifiedName() + " has no primary key";
        }
        for (String name : assigned) {
            short number = shape.columnNumber(name);
            if (number < 0 || fieldOf(shape, returned, number) < 0) {
                return "its column " + name + " is not among the rows the source returned";
            }
            if (shape.keyColumns().contains(number)) {
                return "it changes the primary key column " + name;
            }
            if (shape.isGenerated(number) || shape.alwaysIdentity().contains(number)) {
                return "its column " + name + " is generated on each database (GENERATED ALWAYS)";
            }
        }
        for (short key : shape.keyColumns()) {
            if (fieldOf(shape, returned, key) < 0) {
                return "its primary key column " + shape.columnName(key) + " is not among the rows the source returned";
            }
        }
        return null;
    }

    /**
     * The Parse, Bind and Execute messages that set the assigned columns of the secondary's copies of {@code rows};
     * an empty buffer when there are no rows. Call only when {@link #refusal} is null.
     */
    public static Buffer messages(TableShape shape, RowDescription returned, List<List<byte[]>> rows,
            List<String> assigned) {
        List<Integer> parameters = new ArrayList<>(assigned.size() + shape.keyColumns().size());
        for (String name : assigned) {
            parameters.add(fieldOf(shape, returned, shape.columnNumber(name)));
        }
        for (short key : shape.keyColumns()) {
            parameters.add(fieldOf(shape, returned, key));
        }
        return RowImageBinds.messages(statement(shape, assigned), returned, parameters, rows);
    }

    /** The UPDATE text that {@link #messages} parses. */
    public static String statement(TableShape shape, List<String> assigned) {
        StringBuilder sql = new StringBuilder("UPDATE ").append(shape.qualifiedName()).append(" SET ");
        int p = 1;
        for (String name : assigned) {
            sql.append(p == 1 ? "" : ", ").append(Identifiers.quote(name)).append(" = $").append(p++);
        }
        sql.append(" WHERE ");
        boolean first = true;
        for (short key : shape.keyColumns()) {
            sql.append(first ? "" : " AND ").append(Identifiers.quote(shape.columnName(key))).append(" = $")
                    .append(p++);
            first = false;
        }
        return sql.toString();
    }

    /** The index of the returned field that is this column of the table, or -1. */
    private static int fieldOf(TableShape shape, RowDescription returned, short column) {
        List<RowDescription.Field> fields = returned.fields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).tableOid() == shape.tableOid() && fields.get(i).columnNumber() == column) {
                return i;
            }
        }
        return -1;
    }
}
