package io.exodus.canonical;

import java.util.List;

/**
 * Settings that change how values print, pinned on both databases' verification sessions so that equal rows read as
 * equal text whatever the servers', databases' or roles' defaults, on PostgreSQL 13 to 17 alike.
 */
public final class CanonicalSettings {
    /** One statement each, for a client that sends them one by one. */
    public static final List<String> STATEMENTS = List.of(
            "SET TimeZone = 'UTC'",
            "SET DateStyle = 'ISO, YMD'",
            "SET IntervalStyle = 'postgres'",
            // Any positive value prints the shortest text that reads back to the same float (PostgreSQL 12+).
            "SET extra_float_digits = 3",
            "SET bytea_output = 'hex'",
            "SET lc_monetary = 'C'",
            "SET xmloption = 'content'");

    /** The same, as one simple query. */
    public static final String SQL = String.join(";\n", STATEMENTS);

    private CanonicalSettings() {
    }
}
