package io.exodus.proxy.verify;

import io.exodus.proxy.sql.Identifiers;

/** A table by schema and name, exactly as the catalog spells them. */
record TableName(String schema, String table) {

    /** The name as SQL text, quoted so that any name reads back as itself. */
    String sql() {
        return Identifiers.quote(schema) + "." + Identifiers.quote(table);
    }

    /** How reports and logs name the table: {@code schema.table}. */
    @Override
    public String toString() {
        return schema + "." + table;
    }
}
