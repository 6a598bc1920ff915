package io.exodus.capture;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a statement does, by the proxy's reading of its leading keyword: the same seven classes as the proxy's
 * {@code statement_class} metric tag, so that the analyzer's mix and the proxy's dashboards add up alike.
 */
public enum StatementClass {
    /** SELECT, VALUES, TABLE, SHOW, EXPLAIN, FETCH, DECLARE, WITH without a data-modifying word. */
    READ,
    /** INSERT, UPDATE, DELETE, MERGE, CALL, DO, LOCK, a WITH that modifies data. */
    WRITE,
    /** CREATE, ALTER, DROP, TRUNCATE, GRANT …, and maintenance (VACUUM, ANALYZE, REINDEX …). */
    DDL,
    /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION …. */
    TRANSACTION,
    /** SET, RESET, DISCARD, LISTEN, UNLISTEN, NOTIFY, PREPARE, DEALLOCATE …. */
    SESSION,
    /** COPY, either direction. */
    COPY,
    /** Not recognised. */
    OTHER;

    @JsonValue
    public String wireName() {
        return WireName.of(this);
    }

    @JsonCreator
    public static StatementClass fromWire(String text) {
        return WireName.parse(StatementClass.class, text);
    }
}
