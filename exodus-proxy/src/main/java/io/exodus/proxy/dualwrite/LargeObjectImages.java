package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The large objects a write made on the primary, given to the secondary under the same OIDs and with the same bytes
 * (ADR 0024). A server draws the OID of {@code lo_creat}, {@code lo_create(0)} or {@code lo_from_bytea(0, …)} from its
 * own counter, and {@code lo_import} reads a file on its own host: run on both, the target would hold another object,
 * or none, and a later {@code lo_open} of the primary's OID would fail there.
 *
 * <p>After such a statement, the objects that the session's transaction created on the primary are read there, in the
 * client's session, with the bytes of those not carried yet. The secondary then runs, in the same transaction: before
 * the statement, a note of the objects its transaction holds; after it, one statement that removes the objects its own
 * run of the statement created that the primary did not, and one per new object that creates it under the primary's
 * OID with the primary's bytes, unless its own run made it already (an OID the statement names).
 *
 * <p>"Created by this transaction" is a row of {@code pg_largeobject_metadata} whose {@code xmin} is a transaction id
 * the session holds the lock of (its transaction's, and the open subtransactions'). A row frozen long ago keeps its
 * raw 32-bit {@code xmin}, which may equal one of those once the server's counter has wrapped: such a row is in the
 * note taken before the statement too (the note draws the transaction's id first), and the secondary leaves it.
 * When the client's request itself opens the transaction, the note runs before its BEGIN and cannot hold it; ADR 0024
 * weighs that case.
 */
final class LargeObjectImages {
    private static final String METADATA = " FROM pg_catalog.pg_largeobject_metadata m";
    private static final String MADE_HERE = " WHERE m.xmin IN (SELECT l.transactionid FROM pg_catalog.pg_locks l "
            + "WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted "
            + "AND l.pid = pg_catalog.pg_backend_pid())";
    private static final String CREATED_BY_THIS_TRANSACTION = METADATA + MADE_HERE;
    private static final String NOTE = "exodus.large_objects_before";

    /**
     * The note the secondary takes before the statement, as a setting of its session (the request may open the
     * transaction after it). The transaction id is drawn first, so that the note holds what an id the statement will
     * write with already marks.
     */
    static final String BEFORE = "/* Exodus: the large objects before the statement */ SELECT pg_catalog.set_config('"
            + NOTE + "', (SELECT COALESCE(pg_catalog.array_agg(m.oid)::text, '{}')" + CREATED_BY_THIS_TRANSACTION
            + "), false) FROM (SELECT pg_catalog.pg_current_xact_id()) x";

    /**
     * What the secondary is to run around the statement.
     *
     * @param before  a simple Query for in front of the statement, answered {@code SELECT 1}
     * @param after   a simple Query for after it, one {@code SELECT 1} per entry of {@code tags}
     * @param tags    the command tags of {@code after}
     * @param refusal why the statement cannot be mirrored (an object past the size limit, a failed read), or null
     */
    record Fix(Buffer before, Buffer after, List<String> tags, ErrorResponse refusal) {
        static Fix refused(ErrorResponse why) {
            return new Fix(null, null, List.of(), why);
        }
    }

    private final long maxBytes;
    /** The primary's transaction that {@link #carried} belongs to. */
    private String transaction;
    /** Objects of that transaction whose bytes the secondary got already. */
    private final Set<Long> carried = new HashSet<>();

    /** @param maxBytes the largest object carried (exodus.migration.large-object-max-bytes); Exodus holds its bytes */
    LargeObjectImages(long maxBytes) {
        this.maxBytes = Math.min(maxBytes, Integer.MAX_VALUE - 1);
    }

    /** Reads on the primary what the statement that just ran there created, and says what the secondary is to run. */
    Future<Fix> after(Leg primary) {
        TextRows rows = new TextRows();
        return primary.send(FrontendMessages.query(readQuery()), 1, rows).map(reply -> {
            if (reply.failed()) {
                return Fix.refused(ErrorResponse.error(reply.error().sqlState(), "Exodus could not read the large "
                        + "objects this statement created on the source, to give them to the target: "
                        + reply.error().message()).withHint("Create the large object outside dual-write, or tell "
                        + "the Exodus team what the statement was."));
            }
            return fixFor(rows.rows());
        });
    }

    /**
     * The objects, each with its bytes unless carried already or owned by a role the session cannot act as (a row
     * frozen long ago, see above: it is on the secondary already, and reading it could be refused).
     */
    private String readQuery() {
        return "/* Exodus: the large objects the statement created */ SELECT pg_catalog.pg_current_xact_id(), m.oid, "
                + "pg_catalog.length(d.bytes), pg_catalog.encode(d.bytes, 'base64')"
                + METADATA + ", LATERAL (SELECT CASE WHEN m.oid <> ALL('" + oidArray(carried) + "'::pg_catalog.oid[]) "
                + "AND pg_catalog.pg_has_role(m.lomowner, 'USAGE') THEN pg_catalog.lo_get(m.oid, 0, " + (maxBytes + 1)
                + ") END AS bytes) d" + MADE_HERE;
    }

    private Fix fixFor(List<List<String>> rows) {
        if (!rows.isEmpty() && !rows.get(0).get(0).equals(transaction)) {
            transaction = rows.get(0).get(0);
            carried.clear();
        }
        List<Long> all = new ArrayList<>(rows.size());
        StringBuilder sql = new StringBuilder();
        List<String> tags = new ArrayList<>();
        List<Long> carriedNow = new ArrayList<>();
        for (List<String> row : rows) {
            long oid = Long.parseLong(row.get(1));
            all.add(oid);
            if (row.get(2) == null) {
                continue;
            }
            if (Long.parseLong(row.get(2)) > maxBytes) {
                return Fix.refused(ErrorResponse.error(SqlState.PROGRAM_LIMIT_EXCEEDED, "the large object " + oid
                        + " this statement created on the source is larger than Exodus carries to the target in "
                        + "dual-write (" + maxBytes + " bytes)").withHint("Create the object empty and write it in "
                        + "pieces (lo_put, lowrite: each piece reaches both databases as it is written), or raise "
                        + "exodus.migration.large-object-max-bytes."));
            }
            sql.append("SELECT CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_largeobject_metadata e WHERE e.oid = ")
                    .append(oid).append(") THEN ").append(oid).append("::pg_catalog.oid ELSE pg_catalog.lo_from_bytea(")
                    .append(oid).append(", pg_catalog.decode('").append(row.get(3)).append("', 'base64')) END;");
            tags.add("SELECT 1");
            carriedNow.add(oid);
        }
        carried.addAll(carriedNow);
        String unlink = "SELECT pg_catalog.count(pg_catalog.lo_unlink(m.oid))" + CREATED_BY_THIS_TRANSACTION
                + " AND m.oid <> ALL('" + oidArray(all) + "'::pg_catalog.oid[]) AND m.oid <> ALL(COALESCE(NULLIF("
                + "pg_catalog.current_setting('" + NOTE + "', true), ''), '{}')::pg_catalog.oid[]);";
        tags.add(0, "SELECT 1");
        return new Fix(FrontendMessages.query(BEFORE), FrontendMessages.query(
                "/* Exodus: the source's large objects */ " + unlink + sql), tags, null);
    }

    private static String oidArray(Iterable<Long> oids) {
        StringJoiner joined = new StringJoiner(",", "{", "}");
        oids.forEach(oid -> joined.add(Long.toString(oid)));
        return joined.toString();
    }
}
