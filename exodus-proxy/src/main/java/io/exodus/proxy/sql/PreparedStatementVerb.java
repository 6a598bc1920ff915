package io.exodus.proxy.sql;

/**
 * What a statement does to SQL-level prepared statements (PREPARE / EXECUTE / DEALLOCATE), which live in the
 * session and must exist on every leg an EXECUTE is sent to. Protocol-level Parse/Close are the session's business.
 */
public enum PreparedStatementVerb {
    /** Touches no prepared statement. */
    NONE,
    /** {@code PREPARE name [(types)] AS statement}: {@link Classification#inner()} is the statement's classification. */
    PREPARE,
    /** {@code EXECUTE name [(arguments)]}: as write-like as the statement prepared under that name. */
    EXECUTE,
    /** {@code DEALLOCATE [PREPARE] name}. */
    DEALLOCATE,
    /** {@code DEALLOCATE [PREPARE] ALL}, and {@code DISCARD ALL}, which deallocates every prepared statement too. */
    DEALLOCATE_ALL
}
