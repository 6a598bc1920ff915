package io.exodus.proxy.sql;

import java.util.Set;

/**
 * The large-object functions that make a new object: {@code lo_creat}, {@code lo_create(0)} and
 * {@code lo_from_bytea(0, …)} draw its OID from the server's own counter, {@code lo_import} reads its bytes from a file
 * on the server's host. Dual-write gives the secondary the primary's objects after a statement that calls one.
 */
public final class LargeObjectCalls {
    private static final String PG_CATALOG = "pg_catalog.";
    private static final Set<String> CREATING = Set.of("lo_creat", "lo_create", "lo_import", "lo_from_bytea");

    private LargeObjectCalls() {
    }

    /** Whether the text calls one of them (by its own name, or qualified with {@code pg_catalog}). */
    public static boolean create(Classification classification) {
        for (String call : classification.functionCalls()) {
            String name = call.startsWith(PG_CATALOG) ? call.substring(PG_CATALOG.length()) : call;
            if (CREATING.contains(name)) {
                return true;
            }
        }
        return false;
    }
}
