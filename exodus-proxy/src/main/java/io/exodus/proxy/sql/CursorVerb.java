package io.exodus.proxy.sql;

/** What a statement does to an SQL-level cursor of the session. */
public enum CursorVerb {
    NONE,
    /** {@code DECLARE name … CURSOR FOR query}: as write-like as its query, which each FETCH runs a part of. */
    DECLARE,
    /** {@code FETCH …} or {@code MOVE …}: runs the cursor's query for the rows it passes. */
    FETCH,
    /** {@code CLOSE name}. */
    CLOSE,
    /** {@code CLOSE ALL}. */
    CLOSE_ALL
}
