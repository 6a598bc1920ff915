package io.exodus.proxy.consistency;

import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.RowDescription;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
    /** timestamptz, its array, tstzrange, its array, tstzmultirange: types whose text may name a zone abbreviation. */
    private static final Set<Integer> WITH_ZONE_ABBREVIATION = Set.of(1184, 1185, 3910, 3911,
            4534);
    private static final byte[] LOCAL_MEAN_TIME = " LMT".getBytes(StandardCharsets.US_ASCII);

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
            for (int p = 0; p < parameters.size(); p++) {
                byte[] value = row.get(parameters.get(p));
                RowDescription.Field field = fields.get(parameters.get(p));
                values.add(formats[p] == 0 && WITH_ZONE_ABBREVIATION.contains(field.typeOid())
                        ? withoutLocalMeanTime(value) : value);
            }
            FrontendMessages.appendBind(out, "", "", formats, values, noResultColumns);
            FrontendMessages.appendExecute(out, "", 0);
        }
        return out;
    }

    /**
     * A timestamptz as text without the zone abbreviation {@code LMT}, which PostgreSQL writes (DateStyle Postgres,
     * SQL or German) for times before the session's zone had standard time, and does not read back ("invalid input
     * syntax"): the target's session runs in the same TimeZone, where that local time has the same offset (local mean
     * time knows no daylight saving, so nothing is ambiguous).
     */
    static byte[] withoutLocalMeanTime(byte[] value) {
        if (value == null || indexOf(value, 0) < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length);
        int from = 0;
        for (int at = indexOf(value, 0); at >= 0; at = indexOf(value, from)) {
            out.write(value, from, at - from);
            from = at + LOCAL_MEAN_TIME.length;
        }
        out.write(value, from, value.length - from);
        return out.toByteArray();
    }

    private static int indexOf(byte[] value, int from) {
        outer:
        for (int i = from; i + LOCAL_MEAN_TIME.length <= value.length; i++) {
            for (int j = 0; j < LOCAL_MEAN_TIME.length; j++) {
                if (value[i + j] != LOCAL_MEAN_TIME[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
