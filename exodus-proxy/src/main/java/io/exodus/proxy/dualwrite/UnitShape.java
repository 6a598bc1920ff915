package io.exodus.proxy.dualwrite;

/** How a dual-write session runs one client request (a simple Query, or extended-protocol messages up to Sync). */
enum UnitShape {
    /** Reads only: the primary alone, its answer streamed to the client. */
    READ,
    /**
     * Session state, BEGIN, ROLLBACK, savepoints: no row locks, so both legs run it at once; the client gets the
     * primary's answer.
     */
    CONCURRENT,
    /**
     * Writes: the primary first, then the secondary while the primary's transaction still holds its row locks; an
     * autocommit write is wrapped in a transaction on both legs for that.
     */
    LOCKSTEP,
    /**
     * {@code COPY … FROM STDIN} as a simple Query: the client's data goes to the primary, then to the secondary, with
     * values the primary draws for left-out columns whose defaults would differ (ADR 0008).
     */
    COPY_IN,
    /**
     * A CREATE TABLE … AS whose query draws values per database: the empty table, then an INSERT with a row image,
     * in one transaction ({@link TableFromQuery}).
     */
    TABLE_FROM_QUERY,
    /** A lone COMMIT (or END): the consistency policy's commit protocol. */
    COMMIT,
    /** A lone COMMIT AND CHAIN or ROLLBACK AND CHAIN: the plain end, then the next transaction on both legs. */
    CHAINED_END,
    /** What cannot be wrapped (VACUUM, CREATE DATABASE, transaction verbs mixed with writes): primary, then secondary. */
    SEQUENTIAL,
    /** Not mirrored by this version: refused with an error rather than applied to one database only. */
    UNSUPPORTED
}
