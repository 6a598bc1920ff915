package io.exodus.proxy.metrics;

import io.exodus.proxy.sql.StatementKind;
import io.netty.buffer.ByteBuf;

import java.util.Locale;

/**
 * What a request does, told by the leading keyword of each of its statements: the {@code statement_class} tag of
 * {@code exodus.requests} and {@code exodus.leg.requests}. A closed set of seven, so that the tag's cardinality stays
 * bounded (statement texts and fingerprints are never tags).
 * <p>
 * Declared from the least to the most write-like: a request of several statements takes the most write-like class
 * of theirs ({@link #mostWriteLike}), write &gt; ddl &gt; copy &gt; transaction &gt; session &gt; read, and is
 * {@link #OTHER} only when none of them was recognised.
 * <p>
 * This is the metrics' own, cheap reading of a statement: the first keyword of its first {@value
 * RequestClassifier#TEXT_BYTES} bytes, with no parsing, looked up in the keyword table dual-write's classifier reads
 * too ({@code io.exodus.proxy.sql.LeadingWords}). Dual-write routing classifies statements fully
 * ({@code io.exodus.proxy.sql.StatementClassifier}: locking clauses, volatile functions …); the two can differ, e.g.
 * {@code SELECT … FOR UPDATE} is a write to routing and {@code read} here.
 */
public enum StatementClass {
    /**
     * Nothing recognised: an empty request, a FunctionCall, an EXECUTE of an SQL-level prepared statement, a keyword
     * not listed below, a statement whose first keyword lies beyond the bytes read, or an extended-protocol statement
     * or portal the session never named (or named beyond the bounds of what is remembered).
     */
    OTHER,
    /**
     * SELECT, VALUES, TABLE, SHOW, EXPLAIN (ANALYZE too), FETCH, MOVE, CLOSE, DECLARE, WITH without a data-modifying
     * word.
     */
    READ,
    /** SET, RESET, DISCARD, LISTEN, UNLISTEN, LOAD, DEALLOCATE, PREPARE name AS …. */
    SESSION,
    /** BEGIN, START, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, PREPARE TRANSACTION. */
    TRANSACTION,
    /** COPY, in either direction. */
    COPY,
    /**
     * CREATE, ALTER, DROP, COMMENT, GRANT, REVOKE, SECURITY LABEL, IMPORT FOREIGN SCHEMA, REASSIGN OWNED,
     * and maintenance: REINDEX, CLUSTER, VACUUM, ANALYZE, REFRESH. CHECKPOINT is {@link #OTHER}: routing does not know
     * it either.
     */
    DDL,
    /**
     * INSERT, UPDATE, DELETE, MERGE, CALL, DO, TRUNCATE, LOCK, NOTIFY; WITH whose bytes read contain INSERT, UPDATE,
     * DELETE or MERGE.
     */
    WRITE;

    private static final StatementClass[] VALUES = values();

    /** How many classes there are, for arrays indexed by ordinal. */
    public static final int COUNT = VALUES.length;

    /** The tag value: the name in lower case. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The more write-like of two classes. */
    public static StatementClass mostWriteLike(StatementClass a, StatementClass b) {
        return b.ordinal() > a.ordinal() ? b : a;
    }

    /**
     * The class of the SQL text in {@code length} bytes of {@code text} from {@code index}, as a Query or Parse
     * carries it: zero-terminated, or cut short by the end of the range. Reads the bytes without moving the buffer's
     * indexes and allocates nothing. A keyword that runs into the end of the range may be cut and is not recognised.
     * How the text is read: {@link LeadingKeywords}.
     */
    public static StatementClass of(ByteBuf text, int index, int length) {
        return LeadingKeywords.classify(text, index, index + length);
    }

    /** The class of statements of this kind. */
    static StatementClass of(StatementKind kind) {
        return switch (kind) {
            case READ -> READ;
            case WRITE -> WRITE;
            case DDL -> DDL;
            case TRANSACTION -> TRANSACTION;
            case SESSION -> SESSION;
            case COPY_IN, COPY_OUT -> COPY;
            case UNKNOWN -> OTHER;
        };
    }

    static StatementClass ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
