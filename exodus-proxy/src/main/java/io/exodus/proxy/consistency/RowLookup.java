package io.exodus.proxy.consistency;

import io.exodus.proxy.sql.Identifiers;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.wire.RowDescription;

import java.util.ArrayList;
import java.util.List;

/**
 * How the secondary finds its copy of a row the primary returned for an UPDATE or DELETE image: the condition of its
 * statement, and the returned fields that are the condition's parameters, numbered from a given {@code $n}.
 * <ul>
 * <li>{@link #byKey}: by the primary key's values among the returned fields (the new row's, for an UPDATE).</li>
 * <li>{@link #byOldRow}: by the row as it was before the statement ({@link RowImageReturning#OLD_ROW}, the text of
 * {@code ROW(t.*)}): its key values read back through the table's row type when the table has a primary key (the
 * statement may have changed the key); otherwise the position of the first row whose text is the same, which picks one
 * of several equal rows as the primary did: equal rows are interchangeable, and the statement changed one.</li>
 * </ul>
 *
 * @param condition  the WHERE condition, its parameters {@code $first…}
 * @param parameters the indexes of the returned fields that are the parameters, in order
 */
record RowLookup(String condition, List<Integer> parameters) {
    /** The alias of the row a position lookup reads; a column of that name would be unusual enough. */
    private static final String CANDIDATE = "\"exodus.row\"";

    RowLookup {
        parameters = List.copyOf(parameters);
    }

    /** By the key's values in {@code returned}, or null when the table has no key or the rows lack a key column. */
    static RowLookup byKey(TableShape shape, RowDescription returned, int first) {
        if (shape.keyColumns().isEmpty()) {
            return null;
        }
        StringBuilder condition = new StringBuilder();
        List<Integer> parameters = new ArrayList<>();
        int p = first;
        for (short key : shape.keyColumns()) {
            int field = fieldOf(shape, returned, key);
            if (field < 0) {
                return null;
            }
            condition.append(p == first ? "" : " AND ").append(Identifiers.quote(shape.columnName(key)))
                    .append(" = $").append(p++);
            parameters.add(field);
        }
        return new RowLookup(condition.toString(), parameters);
    }

    /**
     * By the old row, or null when the rows carry none, or when the table has neither a key nor positions (a view
     * without key).
     */
    static RowLookup byOldRow(TableShape shape, RowDescription returned, int first) {
        int field = oldRowField(returned);
        if (field < 0 || shape.keyColumns().isEmpty() && !shape.storesRows()) {
            return null;
        }
        // A parameter of type text: the primary may have sent the field in binary, which is text's binary form too.
        String oldRow = "$" + first + "::pg_catalog.text";
        if (shape.keyColumns().isEmpty()) {
            return new RowLookup("(tableoid, ctid) = (SELECT " + CANDIDATE + ".tableoid, " + CANDIDATE + ".ctid FROM "
                    + shape.qualifiedName() + " AS " + CANDIDATE + " WHERE ROW(" + CANDIDATE + ".*)::pg_catalog.text = "
                    + oldRow + " LIMIT 1)", List.of(field));
        }
        StringBuilder condition = new StringBuilder();
        for (short key : shape.keyColumns()) {
            String column = Identifiers.quote(shape.columnName(key));
            condition.append(condition.isEmpty() ? "" : " AND ").append(column).append(" = (").append(oldRow)
                    .append("::").append(shape.qualifiedName()).append(").").append(column);
        }
        return new RowLookup(condition.toString(), List.of(field));
    }

    /** The index of the returned field that is the old row, or -1. */
    static int oldRowField(RowDescription returned) {
        List<RowDescription.Field> fields = returned.fields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).tableOid() == 0 && fields.get(i).name().equals(RowImageReturning.OLD_ROW)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the returned field that is this column of the table, or -1. */
    static int fieldOf(TableShape shape, RowDescription returned, short column) {
        List<RowDescription.Field> fields = returned.fields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).tableOid() == shape.tableOid() && fields.get(i).columnNumber() == column) {
                return i;
            }
        }
        return -1;
    }
}
