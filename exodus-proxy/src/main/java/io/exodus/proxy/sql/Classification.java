package io.exodus.proxy.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What routing needs to know about one statement text. Immutable and shared: the same instance answers every
 * session that sends the same text.
 *
 * @param kind                what the text does; for several statements, the most write-like of theirs
 * @param transactionVerb     which transaction-control statement it is, {@link TransactionVerb#NONE} otherwise
 * @param readOnlyTransaction {@code BEGIN READ ONLY}, {@code START TRANSACTION READ ONLY},
 *                            {@code SET TRANSACTION READ ONLY}, {@code SET SESSION CHARACTERISTICS AS TRANSACTION
 *                            READ ONLY}: the transaction (or, for the last, the session's later ones) cannot write
 * @param locking             {@code SELECT … FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE}: the kind is then
 *                            {@link StatementKind#WRITE}, so that both legs take the row locks, in the same order
 * @param preparedVerb        what it does to SQL-level prepared statements
 * @param preparedName        the prepared statement's name for PREPARE, EXECUTE and DEALLOCATE (quoted names keep their
 *                            case, others are folded to lower case); {@code null} otherwise and for DEALLOCATE ALL
 * @param inner               for PREPARE, the classification of the prepared statement (an EXECUTE of that name is
 *                            as write-like as it); {@code null} otherwise
 * @param functionCalls       lower-case names of the functions the text calls, schema-qualified as written
 *                            ({@code nextval}, {@code pg_catalog.set_config}), each once, in order of appearance
 * @param parts               the classification of each statement when the text holds several; empty for one
 * @param cursorVerb          what it does to an SQL-level cursor: DECLARE, FETCH or MOVE, CLOSE
 * @param cursorName          that cursor's name (folded as {@code preparedName} is); {@code null} otherwise and for
 *                            CLOSE ALL
 */
public record Classification(
        StatementKind kind,
        TransactionVerb transactionVerb,
        boolean readOnlyTransaction,
        boolean locking,
        PreparedStatementVerb preparedVerb,
        String preparedName,
        Classification inner,
        List<String> functionCalls,
        List<Classification> parts,
        CursorVerb cursorVerb,
        String cursorName) {

    /** Empty text, or only comments and semicolons: nothing runs. */
    public static final Classification EMPTY = of(StatementKind.READ);

    public Classification {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(transactionVerb, "transactionVerb");
        Objects.requireNonNull(preparedVerb, "preparedVerb");
        Objects.requireNonNull(cursorVerb, "cursorVerb");
        functionCalls = List.copyOf(functionCalls);
        parts = List.copyOf(parts);
    }

    /** A statement of that kind with nothing more to say. */
    public static Classification of(StatementKind kind) {
        return of(kind, List.of());
    }

    static Classification of(StatementKind kind, List<String> functionCalls) {
        return new Classification(kind, TransactionVerb.NONE, false, false, PreparedStatementVerb.NONE, null, null,
                functionCalls, List.of(), CursorVerb.NONE, null);
    }

    static Classification query(StatementKind kind, boolean locking, List<String> functionCalls) {
        return new Classification(kind, TransactionVerb.NONE, false, locking, PreparedStatementVerb.NONE, null, null,
                functionCalls, List.of(), CursorVerb.NONE, null);
    }

    static Classification transaction(TransactionVerb verb, boolean readOnly) {
        return new Classification(StatementKind.TRANSACTION, verb, readOnly, false, PreparedStatementVerb.NONE, null,
                null, List.of(), List.of(), CursorVerb.NONE, null);
    }

    static Classification prepared(StatementKind kind, PreparedStatementVerb verb, String name, Classification inner,
            List<String> functionCalls) {
        return new Classification(kind, TransactionVerb.NONE, false, false, verb, name, inner, functionCalls,
                List.of(), CursorVerb.NONE, null);
    }

    /**
     * A statement on a cursor: DECLARE takes its query's kind, locking and calls (a FETCH runs that query); FETCH,
     * MOVE and CLOSE are reads of their own (the session resolves a FETCH of a cursor that writes).
     */
    static Classification cursor(CursorVerb verb, String name, Classification query) {
        Classification of = query == null ? of(StatementKind.READ) : query;
        return new Classification(of.kind(), TransactionVerb.NONE, false, of.locking(), PreparedStatementVerb.NONE,
                null, null, of.functionCalls(), List.of(), verb, name);
    }

    /**
     * Several statements sent as one text (a simple Query with {@code ;}). The whole takes the most write-like kind
     * and every part's locking and function calls; the facts that belong to one statement (transaction verb,
     * read-only, prepared name) stay in {@link #statements()}, in order.
     */
    static Classification ofSeveral(List<Classification> statements) {
        StatementKind kind = StatementKind.READ;
        boolean locking = false;
        List<String> calls = new ArrayList<>();
        for (Classification statement : statements) {
            kind = StatementKind.mostWriteLike(kind, statement.kind());
            locking |= statement.locking();
            for (String call : statement.functionCalls()) {
                if (!calls.contains(call)) {
                    calls.add(call);
                }
            }
        }
        return new Classification(kind, TransactionVerb.NONE, false, locking, PreparedStatementVerb.NONE, null, null,
                calls, statements, CursorVerb.NONE, null);
    }

    /** Whether the text holds more than one statement. */
    public boolean isMultiStatement() {
        return parts.size() > 1;
    }

    /** Each statement of the text in order: this classification itself when the text holds only one. */
    public List<Classification> statements() {
        return parts.isEmpty() ? List.of(this) : parts;
    }

    /** Whether dual-write sends the text to the secondary too. */
    public boolean runsOnBothLegs() {
        return kind.runsOnBothLegs();
    }

    /** A copy with another kind: a read made a write by a volatile function call, for instance. */
    Classification withKind(StatementKind newKind) {
        return newKind == kind ? this
                : new Classification(newKind, transactionVerb, readOnlyTransaction, locking, preparedVerb,
                        preparedName, inner, functionCalls, parts, cursorVerb, cursorName);
    }
}
