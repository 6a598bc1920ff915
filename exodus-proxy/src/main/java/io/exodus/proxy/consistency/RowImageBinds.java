package io.exodus.proxy.consistency;

import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.RowDescription;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The messages of a row image on the secondary ({@link RowImageInsert}, {@link RowImageUpdate}): one Parse of the
 * unnamed statement, then one Bind and Execute per returned row, whose parameters are some of the row's fields in
 * the order given, in the format the primary sent them. No Sync: the caller ends the round as it needs.
 * <p>
 * Parameter types: the fields' type OIDs when they are built-in (below 10000, the same in every PostgreSQL cluster),
 * 0 otherwise, so that the secondary takes the type of the target column: a user-defined type (enum, extension type)
 * has another OID on each server.
 */
final class RowImageBinds {
    /** PostgreSQL's FirstGenbkiObjectId: OIDs below it are fixed in the catalog sources of every release. */
    private static final int FIRST_UNPINNED_OID = 10000;
    private static final int UNSPECIFIED_TYPE = 0;

    private RowImageBinds() {
    }

    /**
     * @param sql        the statement the rows are bound to, its {@code $n} the fields at {@code parameters}
     * @param returned   the primary's RowDescription of the rows
     * @param parameters the indexes of the fields that are the statement's parameters, in order
     * @param rows       the values of each DataRow, in the formats {@code returned} announced, {@code null} for NULL
     */
    static Buffer messages(String sql, RowDescription returned, List<Integer> parameters, List<List<byte[]>> rows) {
        Buffer out = Buffer.buffer();
        if (rows.isEmpty()) {
            return out;
        }
        List<RowDescription.Field> fields = returned.fields();
        int[] types = new int[parameters.size()];
        short[] formats = new short[parameters.size()];
        for (int p = 0; p < parameters.size(); p++) {
            RowDescription.Field field = fields.get(parameters.get(p));
            types[p] = Integer.compareUnsigned(field.typeOid(), FIRST_UNPINNED_OID) < 0 ? field.typeOid()
                    : UNSPECIFIED_TYPE;
            formats[p] = field.format();
        }
        FrontendMessages.appendParse(out, "", sql, types);
        short[] noResultColumns = new short[0];
        for (List<byte[]> row : rows) {
            if (row.size() != fields.size()) {
                throw new IllegalArgumentException("a row of " + row.size() + " values for " + fields.size()
                        + " fields");
            }
            List<byte[]> values = new ArrayList<>(parameters.size());
            for (int index : parameters) {
                values.add(row.get(index));
            }
            FrontendMessages.appendBind(out, "", "", formats, values, noResultColumns);
            FrontendMessages.appendExecute(out, "", 0);
        }
        return out;
    }
}
