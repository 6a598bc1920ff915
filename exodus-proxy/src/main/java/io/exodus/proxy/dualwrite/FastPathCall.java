package io.exodus.proxy.dualwrite;

import io.exodus.proxy.wire.PgMessage;

import java.util.Map;

/**
 * A FunctionCall message (the protocol's fast path, which libpq and pgJDBC use for large objects): the function it
 * calls, by OID. Only PostgreSQL's built-in functions have the same OID on the source and the target; those of large
 * objects are named here.
 *
 * @param functionOid the OID the call names, as the client sent it
 */
record FastPathCall(int functionOid) {
    /** The first OID a database's own objects get (FirstNormalObjectId): below it, PostgreSQL's built-in ones. */
    private static final long FIRST_NORMAL_OBJECT_ID = 16384;
    private static final int LO_CREATE = 715;
    private static final int LO_IMPORT = 764;
    private static final int LO_EXPORT = 765;
    private static final int LO_IMPORT_WITH_OID = 767;
    private static final int LO_CREAT = 957;
    private static final int LO_FROM_BYTEA = 3457;
    private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(LO_CREATE, "lo_create"),
            Map.entry(LO_IMPORT, "lo_import"), Map.entry(LO_EXPORT, "lo_export"),
            Map.entry(LO_IMPORT_WITH_OID, "lo_import"), Map.entry(952, "lo_open"), Map.entry(953, "lo_close"),
            Map.entry(954, "loread"), Map.entry(955, "lowrite"), Map.entry(956, "lo_lseek"),
            Map.entry(LO_CREAT, "lo_creat"), Map.entry(958, "lo_tell"), Map.entry(964, "lo_unlink"),
            Map.entry(1004, "lo_truncate"), Map.entry(3170, "lo_lseek64"), Map.entry(3171, "lo_tell64"),
            Map.entry(3172, "lo_truncate64"), Map.entry(LO_FROM_BYTEA, "lo_from_bytea"), Map.entry(3458, "lo_get"),
            Map.entry(3459, "lo_get"), Map.entry(3460, "lo_put"));

    static FastPathCall of(PgMessage message) {
        return new FastPathCall(message.body().length() >= 4 ? message.body().getInt(0) : 0);
    }

    /** One of PostgreSQL's own functions, which has this OID on the target too. */
    boolean builtin() {
        long oid = Integer.toUnsignedLong(functionOid);
        return oid > 0 && oid < FIRST_NORMAL_OBJECT_ID;
    }

    /** A call that makes a large object, whose OID (or bytes) the server draws (or reads from its own host). */
    boolean createsLargeObject() {
        return functionOid == LO_CREAT || functionOid == LO_CREATE || functionOid == LO_IMPORT
                || functionOid == LO_IMPORT_WITH_OID || functionOid == LO_FROM_BYTEA;
    }

    /** {@code lo_export}: writes a file on the server's host, the source's alone (as the SQL call does). */
    boolean writesServerFile() {
        return functionOid == LO_EXPORT;
    }

    /** For logs and errors: {@code fast-path call of lo_creat (function 957)}. */
    String describe() {
        String name = NAMES.get(functionOid);
        return "fast-path call of " + (name == null ? "function " + Integer.toUnsignedString(functionOid)
                : name + " (function " + functionOid + ")");
    }
}
