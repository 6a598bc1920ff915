package io.exodus.proxy.sync;

import java.util.List;

/**
 * The messages of PostgreSQL's {@code pgoutput} plugin, protocol version 1, that the sync acts on (the logical
 * replication message formats of the PostgreSQL documentation). Values are in text form.
 */
sealed interface PgOutputMessage {

    /** @param finalLsn the LSN of the transaction's commit record */
    record Begin(long finalLsn, int xid) implements PgOutputMessage {
    }

    /** @param endLsn where the transaction's commit record ends: the slot may advance to here once it is applied */
    record Commit(long commitLsn, long endLsn) implements PgOutputMessage {
    }

    /**
     * A table's shape, sent before the first change of it in each decoding session.
     *
     * @param keyColumns whether each column is part of the key that UPDATE and DELETE carry
     */
    record Relation(int id, String schema, String name, List<String> columns, List<Boolean> keyColumns)
            implements PgOutputMessage {
    }

    record Insert(int relation, Tuple row) implements PgOutputMessage {
    }

    /** @param oldKey the old key (or whole old row under REPLICA IDENTITY FULL) when it changed; else null */
    record Update(int relation, Tuple oldKey, Tuple row) implements PgOutputMessage {
    }

    record Delete(int relation, Tuple oldKey) implements PgOutputMessage {
    }

    record Truncate(List<Integer> relations, boolean cascade, boolean restartIdentity) implements PgOutputMessage {
    }

    /** Types, origins and logical messages: nothing to apply. */
    record Other(char type) implements PgOutputMessage {
    }

    /**
     * A row: per column its text, null for SQL NULL, or {@link #UNCHANGED} for a TOASTed value an UPDATE left as it
     * was (and the decoder did not send).
     */
    record Tuple(List<String> values) {
        static final String UNCHANGED = new String("unchanged toast");

        boolean unchanged(int column) {
            return values.get(column) == UNCHANGED;
        }
    }
}
