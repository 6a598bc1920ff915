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
 * A {@code GENERATED ALWAYS} identity takes no value but its own draw ({@code SET a = DEFAULT}, the only assignment
 * PostgreSQL allows it): its sequence is first set to draw the primary's value
 * ({@code setval(pg_get_serial_sequence(…), $n, false)}, once, as an InitPlan of the statement), and RETURNING checks
 * the drawn value, failing the statement loudly should anything have drawn from that sequence in between.
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
     * generated column (which refuses a value), or a column the returned rows lack.
     */
    public static String refusal(TableShape shape, RowDescription returned, List<String> assigned) {
        for (String name : assigned) {
            short number = shape.columnNumber(name);
            if (number < 0 || RowLookup.fieldOf(shape, returned, number) < 0) {
                return "its column " + name + " is not among the rows the source returned";
            }
            if (shape.isGenerated(number)) {
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
        // A GENERATED ALWAYS identity takes DEFAULT only (a table has one identity at most); the others take $n.
        String drawn = assigned.stream().filter(name -> shape.alwaysIdentity().contains(shape.columnNumber(name)))
                .findFirst().orElse(null);
        List<String> given = assigned.stream().filter(name -> !name.equals(drawn)).toList();
        List<Integer> parameters = new ArrayList<>(assigned.size() + shape.keyColumns().size());
        StringBuilder sql = new StringBuilder("UPDATE ").append(shape.qualifiedName()).append(" SET ");
        List<String> settings = new ArrayList<>();
        if (drawn != null) {
            settings.add(Identifiers.quote(drawn) + " = DEFAULT");
        }
        for (String name : given) {
            parameters.add(RowLookup.fieldOf(shape, returned, shape.columnNumber(name)));
            settings.add(Identifiers.quote(name) + " = $" + parameters.size());
        }
        RowLookup lookup = lookup(shape, returned, assigned, parameters.size() + 1);
        parameters.addAll(lookup.parameters());
        sql.append(String.join(", ", settings)).append(" WHERE ").append(lookup.condition());
        if (drawn != null) {
            String column = Identifiers.quote(drawn);
            parameters.add(RowLookup.fieldOf(shape, returned, shape.columnNumber(drawn)));
            int value = parameters.size();
            sql.append(" AND (SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(")
                    .append(Identifiers.literal(shape.qualifiedName())).append(", ").append(Identifiers.literal(drawn))
                    .append("), $").append(value).append(", false)) IS NOT NULL RETURNING CASE WHEN ").append(column)
                    .append(" = $").append(value).append(" THEN 1 ELSE pg_catalog.current_setting(")
                    .append("'exodus.target_identity_drew_another_value')::int END");
        }
        return RowImageBinds.messages(sql.toString(), returned, parameters, rows);
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
