package io.exodus.proxy.verify;

/**
 * Settings that change how values print, pinned on both databases' verification sessions so that equal rows read as
 * equal text whatever the servers', databases' or roles' defaults, on PostgreSQL 13 to 17 alike.
 */
final class CanonicalSettings {
    static final String SQL = String.join(";\n",
            "SET TimeZone = 'UTC'",
            "SET DateStyle = 'ISO, YMD'",
            "SET IntervalStyle = 'postgres'",
            // Any positive value prints the shortest text that reads back to the same float (PostgreSQL 12+).
            "SET extra_float_digits = 3",
            "SET bytea_output = 'hex'",
            "SET lc_monetary = 'C'",
            "SET xmloption = 'content'",
            "SET application_name = 'exodus-verify'");

    private CanonicalSettings() {
    }
}
