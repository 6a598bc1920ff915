package io.exodus.proxy.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An UPDATE made to hand back the rows it changed, so that dual-write can set the secondary's copies of those rows to
 * the primary's values instead of running the UPDATE there again, where {@code now()}, {@code random()},
 * {@code nextval()} or a column's {@code DEFAULT} would draw other values, and where a cursor of
 * {@code WHERE CURRENT OF} does not exist.
 * <p>
 * {@link #of} rewrites a text that is exactly one plain {@code UPDATE name [[AS] alias] SET … [FROM …] [WHERE …]
 * [RETURNING …]}: it adds the updated table's whole rows ({@code alias.*}, not those of the FROM list) after the
 * statement's last token, after a marker column when the client has a RETURNING list of its own
 * ({@link RowImageReturning#withRows}), and lists the columns the SET clause assigns, as the server names them.
 * <p>
 * RETURNING sees the new row only. The old one, which the secondary needs to find its copy when the table has no
 * primary key or the statement changes the key, travels through a setting made for each row as it is updated: one SET
 * value becomes {@code CASE WHEN set_config('exodus.old_row', ROW(alias.*)::text, true) IS NULL THEN NULL ELSE (value)
 * END}, which the server evaluates on the old row right before writing the new one, and RETURNING reads the setting
 * back as {@link RowImageReturning#OLD_ROW}. Only a value whose type does not depend on the column it is assigned to
 * can be wrapped: not {@code DEFAULT}, a quoted literal, {@code NULL}, a parameter or a row. Without one, the setting
 * is made in the WHERE clause instead ({@code WHERE (condition) AND set_config(…) IS NOT NULL}), where the server also
 * evaluates it on each row right before updating it, provided that no join or subquery stands between the scan and the
 * update: so only without FROM, without a subquery and without {@code CURRENT OF}; otherwise there is no old row, and
 * the secondary finds rows by key (or runs the text, see {@code consistency.RowImageUpdate}).
 * <p>
 * It declines, with an empty result: several statements, {@code WITH}, {@code UPDATE ONLY} and {@code name *}, and SET
 * targets that are not plain column names ({@code a[1] = …}, {@code c.f = …}).
 */
public final class UpdateReturning {
    /** The setting that carries each row's old image from the SET list or WHERE clause to RETURNING. */
    private static final String SETTING = "'" + RowImageReturning.OLD_ROW + "'";
    private static final String READ_OLD_ROW = "pg_catalog.current_setting(" + SETTING + ", true)";

    private UpdateReturning() {
    }

    /** @param standardConformingStrings the session's setting, as for {@link SqlLexer#tokenize(String, boolean)} */
    public static Optional<RowImageReturning> of(String sql, boolean standardConformingStrings) {
        return of(SqlLexer.tokenize(sql, standardConformingStrings));
    }

    static Optional<RowImageReturning> of(Tokens tokens) {
        String sql = tokens.text();
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty() || !tokens.isWord(one.get().from(), "update") || !one.get().balanced(tokens)) {
            return Optional.empty();
        }
        int from = one.get().from();
        int to = one.get().to();
        RowImageReturning.TableName table = RowImageReturning.TableName.at(tokens, from + 1);
        if (tokens.isWord(from + 1, "only") || table == null) {
            return Optional.empty();
        }
        String reference = table.lastPart();
        int at = table.next();
        if (tokens.isWord(at, "as")) {
            at++;
        }
        if (tokens.isName(at) && !tokens.isWord(at, "set")) {
            reference = tokens.name(at);
            at++;
        }
        if (!tokens.isWord(at, "set")) {
            return Optional.empty();
        }
        int returning = -1;
        for (int i = at + 1; i < to && returning < 0; i++) {
            if (tokens.depth(i) == 0 && RowImageReturning.isReturningKeyword(tokens, i)) {
                returning = i;
            }
        }
        int clauseEnd = returning < 0 ? to : returning;
        List<Assignment> assignments = assignments(tokens, at + 1, clauseEnd);
        if (assignments == null) {
            return Optional.empty();
        }
        List<String> columns = new ArrayList<>();
        assignments.forEach(a -> columns.addAll(a.columns()));
        String oldRow = "ROW(" + Identifiers.quote(reference) + ".*)::text";
        String capture = "pg_catalog.set_config(" + SETTING + ", " + oldRow + ", true)";
        String rewritten = sql;
        boolean capturesOldRow = true;
        int where = whereOf(tokens, at + 1, clauseEnd);
        Assignment wrapped = assignments.stream().filter(a -> a.independentOfColumnType(tokens)).findFirst()
                .orElse(null);
        if (wrapped != null) {
            rewritten = sql.substring(0, tokens.start(wrapped.valueFrom())) + "CASE WHEN " + capture
                    + " IS NULL THEN NULL ELSE (" + sql.substring(tokens.start(wrapped.valueFrom()),
                    tokens.end(wrapped.valueTo() - 1)) + ") END" + sql.substring(tokens.end(wrapped.valueTo() - 1));
        } else if (scanFeedsTheUpdate(tokens, at + 1, clauseEnd) && where != clauseEnd - 1) {
            int conditionEnd = tokens.end(clauseEnd - 1);
            if (where < 0) {
                rewritten = sql.substring(0, conditionEnd) + " WHERE " + capture + " IS NOT NULL"
                        + sql.substring(conditionEnd);
            } else {
                rewritten = sql.substring(0, tokens.end(where)) + " (" + sql.substring(tokens.start(where + 1),
                        conditionEnd) + ") AND " + capture + " IS NOT NULL" + sql.substring(conditionEnd);
            }
        } else {
            capturesOldRow = false;
        }
        // All that was inserted lies before the statement's last token, so its end moved by the text's growth.
        int end = tokens.end(to - 1) + rewritten.length() - sql.length();
        return Optional.of(RowImageReturning.withRows(rewritten, end, returning >= 0, reference,
                capturesOldRow ? READ_OLD_ROW : null, columns, RowImageReturning.Writes.UPDATES,
                RowImageReturning.whereCurrentOf(tokens) < 0 ? null : table.text()));
    }

    /**
     * Whether the server updates each row right after the scan of the table let it through, so that a setting made
     * in the WHERE clause is that row's when RETURNING reads it: no FROM list (a join may read all of the table
     * first, as the inner side of a hash join) and no subquery (which can become such a join), nor a cursor.
     */
    private static boolean scanFeedsTheUpdate(Tokens tokens, int from, int to) {
        for (int i = from; i < to; i++) {
            if (tokens.depth(i) == 0 && (tokens.isWord(i, "from") && !tokens.isWord(i - 1, "distinct")
                    || tokens.isWord(i, "current") && tokens.isWord(i - 1, "where"))) {
                return false;
            }
            if (tokens.isWord(i, "select") || tokens.isWord(i, "values") || tokens.isWord(i, "table")) {
                return false;
            }
        }
        return true;
    }

    private static int whereOf(Tokens tokens, int from, int to) {
        for (int i = from; i < to; i++) {
            if (tokens.depth(i) == 0 && tokens.isWord(i, "where")) {
                return i;
            }
        }
        return -1;
    }

    /**
     * One item of a SET list: the columns it assigns, and its value's tokens {@code [valueFrom, valueTo)}.
     */
    private record Assignment(List<String> columns, int valueFrom, int valueTo) {
        /**
         * Whether wrapping the value in a CASE keeps its type: a value whose type comes from the column it is
         * assigned to ({@code DEFAULT}, {@code 'text'}, {@code NULL}, {@code $1}) would become text there, and a row
         * ({@code (a, b)}, {@code ROW(…)}) would no longer be taken apart into a composite column.
         */
        boolean independentOfColumnType(Tokens tokens) {
            if (columns.size() != 1 || tokens.is(valueFrom, TokenType.LEFT_PAREN)
                    || tokens.isWord(valueFrom, "row")) {
                return false;
            }
            if (valueTo - valueFrom == 1) {
                return !(tokens.is(valueFrom, TokenType.STRING) || tokens.is(valueFrom, TokenType.PARAMETER)
                        || tokens.isWord(valueFrom, "default") || tokens.isWord(valueFrom, "null"));
            }
            return true;
        }
    }

    /**
     * The items of a SET list ({@code a = …, (b, c) = …}), up to its FROM, WHERE or the end; null when a target is
     * not a plain column name or the list cannot be read.
     */
    private static List<Assignment> assignments(Tokens tokens, int from, int to) {
        List<Assignment> assignments = new ArrayList<>();
        int i = from;
        while (i < to) {
            List<String> columns = new ArrayList<>();
            if (tokens.is(i, TokenType.LEFT_PAREN)) {
                int close = tokens.partner(i);
                for (int name = i + 1; name < close; name += 2) {
                    if (!tokens.isName(name) || name + 1 < close && !tokens.is(name + 1, TokenType.COMMA)) {
                        return null;
                    }
                    columns.add(tokens.name(name));
                }
                i = close + 1;
            } else if (tokens.isName(i)) {
                columns.add(tokens.name(i));
                i++;
            } else {
                return null;
            }
            if (!tokens.is(i, TokenType.OPERATOR) || !tokens.source(i).equals("=")) {
                return null;
            }
            int value = ++i;
            // Past the value to the next item or the end of the list.
            while (i < to && !(tokens.depth(i) == 0 && (tokens.is(i, TokenType.COMMA) || endsList(tokens, i)))) {
                i++;
            }
            if (i == value || columns.isEmpty()) {
                return null;
            }
            assignments.add(new Assignment(columns, value, i));
            if (i >= to || !tokens.is(i, TokenType.COMMA)) {
                break;
            }
            i++;
        }
        return assignments.isEmpty() ? null : assignments;
    }

    /** FROM or WHERE of the statement; {@code IS [NOT] DISTINCT FROM} is part of a value. */
    private static boolean endsList(Tokens tokens, int index) {
        return tokens.isWord(index, "where") || tokens.isWord(index, "from") && !tokens.isWord(index - 1, "distinct");
    }
}
