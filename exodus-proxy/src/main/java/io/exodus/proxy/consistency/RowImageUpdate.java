package io.exodus.proxy.consistency;

import io.exodus.proxy.sql.Identifiers;
import io.exodus.proxy.wire.RowDescription;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Sets on the secondary exactly the values an UPDATE gave its rows on the primary. Run again on the secondary, an
 * UPDATE that computes {@code now()}, {@code random()}, {@code nextval()} or a column's {@code DEFAULT} would store
 * other values, and one that names a cursor ({@code WHERE CURRENT OF}) finds none there; instead the primary runs it
 * with {@code RETURNING t.*} ({@link io.exodus.proxy.sql.UpdateReturning}) and this class turns each returned row into
 * <pre>
 * UPDATE schema.table SET "a" = $1, "b" = $2 WHERE "id" = $3
 * </pre>
 * for the columns the statement's SET list assigns, the row found as {@link RowLookup} says: by its primary key, or,
 * when the table has none or the statement changes it, by the old row the primary returned with the new one. One Parse
 * of the unnamed statement, then one Bind and Execute per row ({@link RowImageBinds}), each answered {@code UPDATE 1}
 * when the secondary has the row. A row the secondary lacks answers {@code UPDATE 0}, a divergence the caller reports.
 * <p>
 * {@link #refusal} says when the catalog rules an image out; the statement's text then runs on the secondary and is
 * counted as one whose values may differ.
 */
public final class RowImageUpdate {
    private RowImageUpdate() {
    }

    /**
     * Why the rows of this UPDATE cannot be copied as an image, or null when they can: the secondary cannot find its
     * copies (no primary key, or a changed one, and no old row to find them by), or the statement assigns a stored
     * generated column or a {@code GENERATED ALWAYS} identity (both refuse a value), or a column the returned rows lack.
     */
    public static String refusal(TableShape shape, RowDescription returned, List<String> assigned) {
        for (String name : assigned) {
            short number = shape.columnNumber(name);
            if (number < 0 || RowLookup.fieldOf(shape, returned, number) < 0) {
                return "its column " + name + " is not among the rows the source returned";
            }
            if (shape.isGenerated(number) || shape.alwaysIdentity().contains(number)) {
                return "its column " + name + " is generated on each database (GENERATED ALWAYS)";
            }
        }
        if (lookup(shape, returned, assigned, 1) != null) {
            return null;
        }
        if (shape.keyColumns().isEmpty()) {
            return "its table " + shape.qualifiedName() + " has no primary key";
        }
        for (String name : assigned) {
            if (shape.keyColumns().contains(shape.columnNumber(name))) {
                return "it changes the primary key column " + name;
            }
        }
        return "its primary key is not among the rows the source returned";
    }

    /**
     * The Parse, Bind and Execute messages that set the assigned columns of the secondary's copies of {@code rows};
     * an empty buffer when there are no rows. Call only when {@link #refusal} is null.
     */
    public static Buffer messages(TableShape shape, RowDescription returned, List<List<byte[]>> rows,
            List<String> assigned) {
        List<Integer> parameters = new ArrayList<>(assigned.size() + shape.keyColumns().size());
        for (String name : assigned) {
            parameters.add(RowLookup.fieldOf(shape, returned, shape.columnNumber(name)));
        }
        RowLookup lookup = lookup(shape, returned, assigned, assigned.size() + 1);
        parameters.addAll(lookup.parameters());
        return RowImageBinds.messages(statement(shape, assigned, lookup), returned, parameters, rows);
    }

    private static String statement(TableShape shape, List<String> assigned, RowLookup lookup) {
        StringBuilder sql = new StringBuilder("UPDATE ").append(shape.qualifiedName()).append(" SET ");
        int p = 1;
        for (String name : assigned) {
            sql.append(p == 1 ? "" : ", ").append(Identifiers.quote(name)).append(" = $").append(p++);
        }
        return sql.append(" WHERE ").append(lookup.condition()).toString();
    }

    /**
     * By key when the statement leaves the key as it was, otherwise by the old row; null when neither is possible.
     */
    private static RowLookup lookup(TableShape shape, RowDescription returned, List<String> assigned, int first) {
        boolean changesKey = assigned.stream().anyMatch(name -> shape.keyColumns().contains(shape.columnNumber(name)));
        RowLookup byKey = changesKey ? null : RowLookup.byKey(shape, returned, first);
        return byKey != null ? byKey : RowLookup.byOldRow(shape, returned, first);
    }
}
