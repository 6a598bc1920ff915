package io.exodus.proxy.consistency;

import io.exodus.proxy.wire.RowDescription;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * Removes on the secondary exactly the rows a DELETE removed on the primary, where running the DELETE again would not
 * ({@code WHERE CURRENT OF} a cursor the secondary does not have, a condition with {@code random()}): the primary
 * returns the rows ({@link io.exodus.proxy.sql.DeleteReturning}) and each becomes
 * <pre>
 * DELETE FROM schema.table WHERE "id" = $1
 * </pre>
 * the row found as {@link RowLookup} says (by key, or by the old row for a table without one): one Parse of the unnamed
 * statement, then one Bind and Execute per row, each answered {@code DELETE 1} when the secondary has the row.
 */
public final class RowImageDelete {
    private RowImageDelete() {
    }

    /** Why the secondary cannot find its copies of the deleted rows, or null when it can. */
    public static String refusal(TableShape shape, RowDescription returned) {
        return lookup(shape, returned) != null ? null
                : "its table " + shape.qualifiedName() + " has no primary key, and its rows no position";
    }

    /** The messages that delete the secondary's copies of {@code rows}. Call only when {@link #refusal} is null. */
    public static Buffer messages(TableShape shape, RowDescription returned, List<List<byte[]>> rows) {
        RowLookup lookup = lookup(shape, returned);
        return RowImageBinds.messages("DELETE FROM " + shape.qualifiedName() + " WHERE " + lookup.condition(),
                returned, lookup.parameters(), rows);
    }

    private static RowLookup lookup(TableShape shape, RowDescription returned) {
        RowLookup byKey = RowLookup.byKey(shape, returned, 1);
        return byKey != null ? byKey : RowLookup.byOldRow(shape, returned, 1);
    }
}
