package io.exodus.proxy.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An INSERT made to hand back every row it wrote, so that dual-write can copy the primary's rows to the secondary
 * as a row image instead of running the INSERT there again: run on the secondary, {@code nextval()}, {@code now()},
 * {@code gen_random_uuid()} or {@code random()} would produce other values than on the primary.
 * <p>
 * {@link #of} rewrites only a text that is exactly one plain INSERT whose RETURNING rows are exactly the rows it
 * inserted: no RETURNING clause yet, or already {@code RETURNING *} (then the text stays as it is and the client
 * wants those rows itself, see {@link #clientAskedForAllColumns()}). It declines, with an empty result:
 * <ul>
 * <li>several statements, and anything that is not an INSERT at top level ({@code WITH … INSERT}, {@code EXPLAIN},
 * {@code PREPARE … AS INSERT}): their output is not the inserted rows;</li>
 * <li>{@code ON CONFLICT … DO UPDATE}: its RETURNING mixes inserted and updated rows ({@code DO NOTHING} is fine:
 * RETURNING then lists the inserted rows only);</li>
 * <li>nothing else: any other RETURNING list ({@code RETURNING t.id, uid AS u, id * 2}) is kept, followed by a marker
 * column ({@link #CLIENT_COLUMNS_END}) and {@code *}, so that the client gets the columns before the marker and the
 * secondary the whole rows after it;</li>
 * <li>unbalanced parentheses: the server rejects the text anyway.</li>
 * </ul>
 * The clause goes right after the statement's last token, so that a trailing {@code ;} or {@code -- comment} cannot
 * swallow it. Only a {@code RETURNING} keyword outside parentheses counts: inside a subquery, quoted
 * ({@code "returning"}), as a column label ({@code AS returning}) or after a dot ({@code t.returning}) it is a name.
 *
 * @param rewrittenSql             the text to run on the primary: the original with {@code RETURNING *} added (and
 *                                 a constant column, see {@link #RETURNING_ROWS})
 * @param clientAskedForAllColumns whether the original already ended in {@code RETURNING *}, so that
 *                                 {@code rewrittenSql} is the original text and the client gets the rows it asked
 *                                 for; otherwise the proxy must keep the extra rows from the client
 * @param cursorTable              for an UPDATE or DELETE {@code WHERE CURRENT OF} a cursor, the table as the
 *                                 statement names it ({@code s."T"}); null otherwise
 */
public record RowImageReturning(String rewrittenSql, boolean clientAskedForAllColumns, List<String> projection,
        List<String> updatedColumns, Writes writes, String cursorTable) {

    /** What the statement does to the rows it returns, and so what the secondary does with them. */
    public enum Writes {
        INSERTS, UPDATES, DELETES
    }

    /**
     * The name of the column that carries a row as it was before the statement ({@code ROW(t.*)::text}): an UPDATE
     * reads it from a setting its SET list or WHERE clause made for the row ({@link UpdateReturning}), a DELETE
     * returns it directly ({@link DeleteReturning}). The secondary finds its copy of the row by it when the table has
     * no primary key or the statement changes the key.
     */
    public static final String OLD_ROW = "exodus.old_row";

    private static final String RETURNING_ALL = " RETURNING *";
    /**
     * What is added to an INSERT without RETURNING: the whole rows, and a constant column, because {@code RETURNING *}
     * of a table without columns is an error ("RETURNING must have at least one column") where the INSERT alone is
     * not. The column belongs to no table, so the row image leaves it out; the client sees none of it.
     */
    private static final String RETURNING_ROWS = " RETURNING *, NULL AS \"exodus.row\"";

    /**
     * The name of the column Exodus adds after a client's own RETURNING list that is not plain column names: the
     * columns before it are the client's, those after it the inserted rows ({@code *}). As {@link #projection}, it
     * says that the primary's answer is to be split at that column.
     */
    public static final String CLIENT_COLUMNS_END = "exodus.client_columns_end";

    public RowImageReturning {
        Objects.requireNonNull(rewrittenSql, "rewrittenSql");
        projection = List.copyOf(projection);
        updatedColumns = List.copyOf(updatedColumns);
        Objects.requireNonNull(writes, "writes");
    }

    public RowImageReturning(String rewrittenSql, boolean clientAskedForAllColumns, List<String> projection) {
        this(rewrittenSql, clientAskedForAllColumns, projection, List.of(), Writes.INSERTS, null);
    }

    public RowImageReturning(String rewrittenSql, boolean clientAskedForAllColumns) {
        this(rewrittenSql, clientAskedForAllColumns, List.of());
    }

    /**
     * The row image of a statement that dual-write can copy as rows: an INSERT always ({@link #of}); an UPDATE or a
     * DELETE when it computes values that differ per database, picks its rows by what the rows alone do not decide
     * or reads rows it does not change ({@link PickedRows#why}), or when it names a cursor ({@code WHERE CURRENT OF}),
     * which exists on the primary alone ({@link UpdateReturning}, {@link DeleteReturning}); empty for anything else.
     */
    public static Optional<RowImageReturning> forStatement(String sql, boolean standardConformingStrings,
            Classification classification) {
        return forStatement(sql, standardConformingStrings, classification, null);
    }

    /**
     * As {@link #forStatement(String, boolean, Classification)}, and an UPDATE or DELETE that calls a function of the
     * database's own ({@code SET total = order_total(id)}, which may read other tables as they are when it runs) gets
     * an image too.
     *
     * @param volatility the database's functions as last read; null when unknown (then only the text decides)
     */
    public static Optional<RowImageReturning> forStatement(String sql, boolean standardConformingStrings,
            Classification classification, FunctionVolatility volatility) {
        Tokens tokens = SqlLexer.tokenize(sql, standardConformingStrings);
        Optional<RowImageReturning> insert = of(tokens);
        if (insert.isPresent()) {
            return insert;
        }
        boolean drawn = NondeterministicValues.firstIn(sql, classification) != null || whereCurrentOf(tokens) >= 0;
        boolean picked = PickedRows.why(sql) != null
                || volatility != null && callsDatabaseCode(classification, volatility);
        // A write to the catalog keeps its text however it reads: its rows are each server's own.
        if (!drawn && (!picked || PickedRows.changesCatalog(sql))) {
            return Optional.empty();
        }
        Optional<RowImageReturning> update = UpdateReturning.of(tokens);
        return update.isPresent() ? update : DeleteReturning.of(tokens);
    }

    /** Whether the statement calls a function that is not the server's own (which may read tables of its own). */
    private static boolean callsDatabaseCode(Classification classification, FunctionVolatility volatility) {
        for (String call : classification.functionCalls()) {
            if (!volatility.runsServerCodeOnly(call)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this is an UPDATE's image: the primary returns the whole updated rows, and the secondary sets
     * {@link #updatedColumns} of its copies of those rows to the primary's values.
     */
    public boolean isUpdate() {
        return writes == Writes.UPDATES;
    }

    /** Whether this is a DELETE's image: the primary returns the deleted rows, and the secondary deletes its copies. */
    public boolean isDelete() {
        return writes == Writes.DELETES;
    }

    /**
     * The index of the {@code WHERE} of a {@code WHERE CURRENT OF cursor} at the top level of the text, or -1: such a
     * statement works on the row a cursor stands on, and a cursor that only reads exists on the primary alone.
     */
    public static int whereCurrentOf(Tokens tokens) {
        for (int i = 0; i + 2 < tokens.size(); i++) {
            if (tokens.depth(i) == 0 && tokens.isWord(i, "where") && tokens.isWord(i + 1, "current")
                    && tokens.isWord(i + 2, "of")) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The table an UPDATE or DELETE names, read from its name's first token: the name as written ({@code s."T"}, for
     * the catalog), its last part (how the statement refers to its rows without an alias), and the index of the token
     * after it. Null when no name starts there.
     */
    record TableName(String text, String lastPart, int next) {
        static TableName at(Tokens tokens, int first) {
            if (!tokens.isName(first)) {
                return null;
            }
            int at = first;
            while (tokens.is(at + 1, TokenType.DOT) && tokens.isName(at + 2)) {
                at += 2;
            }
            return new TableName(tokens.text().substring(tokens.start(first), tokens.end(at)), tokens.name(at),
                    at + 1);
        }
    }

    /**
     * The RETURNING clause an UPDATE or DELETE gets for its image, put at {@code end}, right after the statement's
     * last token (so that a trailing {@code ;} or comment cannot swallow it): the rows of
     * {@code reference} (the table's name or alias) and, when {@code oldRow} is not null, that expression as
     * {@link #OLD_ROW}; after a client's own RETURNING list, a marker column first, so that the client gets its
     * columns and the secondary the rest ({@link #CLIENT_COLUMNS_END}).
     */
    static RowImageReturning withRows(String sql, int end, boolean clientReturns, String reference, String oldRow,
            List<String> updatedColumns, Writes writes, String cursorTable) {
        StringBuilder clause = new StringBuilder(clientReturns ? ", NULL AS \"" + CLIENT_COLUMNS_END + "\", "
                : " RETURNING ").append(Identifiers.quote(reference)).append(".*");
        if (oldRow != null) {
            clause.append(", ").append(oldRow).append(" AS \"").append(OLD_ROW).append('"');
        }
        return new RowImageReturning(sql.substring(0, end) + clause + sql.substring(end), false,
                clientReturns ? List.of(CLIENT_COLUMNS_END) : List.of(), updatedColumns, writes, cursorTable);
    }

    /**
     * Whether the client asked for some columns by name ({@code RETURNING id}, as pgJDBC's generated keys and
     * Hibernate's identity inserts do): the text runs with {@code RETURNING *} and the proxy hands the client just
     * those columns, in its order.
     */
    public boolean projects() {
        return !projection.isEmpty();
    }

    /** Whether the primary's answer is the client's own RETURNING list, a marker column, then the whole rows. */
    public boolean splitsAtMarker() {
        return projection.equals(List.of(CLIENT_COLUMNS_END));
    }

    /**
     * @param standardConformingStrings the session's setting, as for {@link SqlLexer#tokenize(String, boolean)}
     */
    public static Optional<RowImageReturning> of(String sql, boolean standardConformingStrings) {
        return of(SqlLexer.tokenize(sql, standardConformingStrings));
    }

    private static Optional<RowImageReturning> of(Tokens tokens) {
        String sql = tokens.text();
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty()) {
            return Optional.empty();
        }
        int from = one.get().from();
        int to = one.get().to();
        if (!tokens.isWord(from, "insert") || !tokens.isWord(from + 1, "into") || !one.get().balanced(tokens)) {
            return Optional.empty();
        }
        int returning = -1;
        for (int i = from + 2; i < to; i++) {
            if (tokens.depth(i) != 0) {
                continue;
            }
            if (tokens.isWord(i, "do") && tokens.isWord(i + 1, "update")) {
                return Optional.empty();
            }
            if (isReturningKeyword(tokens, i)) {
                returning = i;
                break;
            }
        }
        if (returning < 0) {
            int end = tokens.end(to - 1);
            return Optional.of(new RowImageReturning(sql.substring(0, end) + RETURNING_ROWS + sql.substring(end),
                    false));
        }
        boolean onlyAllColumns = returning + 2 == to && tokens.is(returning + 1, TokenType.OPERATOR)
                && tokens.source(returning + 1).equals("*");
        if (onlyAllColumns) {
            return Optional.of(new RowImageReturning(sql, true));
        }
        List<String> names = columnNames(tokens, returning + 1, to);
        if (names != null && names.stream().anyMatch(tableNames(tokens, from + 2, returning)::contains)) {
            // The table's own name (or alias) in RETURNING is the whole row, unless a column has that name: let the
            // server decide, as it does with expressions.
            names = null;
        }
        if (names == null) {
            int end = tokens.end(to - 1);
            String split = sql.substring(0, end) + ", NULL AS \"" + CLIENT_COLUMNS_END + "\", *" + sql.substring(end);
            return Optional.of(new RowImageReturning(split, false, List.of(CLIENT_COLUMNS_END)));
        }
        String rewritten = sql.substring(0, tokens.start(returning)) + RETURNING_ALL.substring(1)
                + sql.substring(tokens.end(to - 1));
        return Optional.of(new RowImageReturning(rewritten, false, names));
    }

    /**
     * The names of a RETURNING list made of plain column names only ({@code id}, {@code "Id"}), as the server names
     * the columns of its answer; null for anything else (expressions, aliases, {@code t.*}).
     */
    private static List<String> columnNames(Tokens tokens, int from, int to) {
        List<String> names = new ArrayList<>();
        for (int i = from; i < to; i += 2) {
            String name;
            if (tokens.is(i, TokenType.WORD)) {
                name = tokens.source(i).toLowerCase(Locale.ROOT);
            } else if (tokens.is(i, TokenType.QUOTED_IDENTIFIER)) {
                String quoted = tokens.source(i);
                name = quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"");
            } else {
                return null;
            }
            names.add(name);
            if (i + 1 < to && !tokens.is(i + 1, TokenType.COMMA)) {
                return null;
            }
        }
        return names.isEmpty() ? null : names;
    }

    /** The INSERT's table as RETURNING may name it: its unqualified name, and its alias if it has one. */
    private static List<String> tableNames(Tokens tokens, int name, int end) {
        List<String> names = new ArrayList<>(2);
        int at = name;
        while (at + 2 < end && tokens.is(at + 1, TokenType.DOT)) {
            at += 2;
        }
        if (at >= end || !tokens.isName(at)) {
            return names;
        }
        names.add(tokens.name(at));
        int alias = tokens.isWord(at + 1, "as") ? at + 2 : at + 1;
        if (alias < end && tokens.isName(alias) && !tokens.isWord(alias, "values") && !tokens.isWord(alias, "select")
                && !tokens.isWord(alias, "default") && !tokens.isWord(alias, "overriding")) {
            names.add(tokens.name(alias));
        }
        return names;
    }

    /**
     * RETURNING is a reserved keyword: unquoted, it can be a name only as a column label after AS or as a field
     * after a dot.
     */
    static boolean isReturningKeyword(Tokens tokens, int index) {
        return tokens.isWord(index, "returning") && !tokens.isWord(index - 1, "as")
                && !tokens.is(index - 1, TokenType.DOT);
    }
}
