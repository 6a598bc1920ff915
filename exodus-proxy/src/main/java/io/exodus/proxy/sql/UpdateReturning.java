package io.exodus.proxy.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An UPDATE made to hand back the rows it changed, so that dual-write can set the secondary's copies of those rows to
 * the primary's values instead of running the UPDATE there again, where {@code now()}, {@code random()},
 * {@code nextval()} or a column's {@code DEFAULT} would draw other values.
 * <p>
 * {@link #of} rewrites a text that is exactly one plain {@code UPDATE name [[AS] alias] SET … [FROM …] [WHERE …]}
 * without a RETURNING clause: it adds {@code RETURNING alias.*} (the updated table's whole rows, not those of the
 * FROM list) after the statement's last token, and lists the columns the SET clause assigns, as the server names
 * them. The secondary then runs {@code UPDATE t SET those = $n WHERE key = $k} per row (the table needs a primary key
 * the statement does not change; {@link io.exodus.proxy.consistency.RowImageUpdate} checks that against the catalog).
 * It declines, with an empty result: several statements, {@code WITH}, {@code UPDATE ONLY} and {@code name *}, a
 * RETURNING clause of the client's own, and SET targets that are not plain column names ({@code a[1] = …},
 * {@code c.f = …}).
 */
public final class UpdateReturning {

    private UpdateReturning() {
    }

    /** @param standardConformingStrings the session's setting, as for {@link SqlLexer#tokenize(String, boolean)} */
    public static Optional<RowImageReturning> of(String sql, boolean standardConformingStrings) {
        Tokens tokens = SqlLexer.tokenize(sql, standardConformingStrings);
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty() || !tokens.isWord(one.get().from(), "update") || !one.get().balanced(tokens)) {
            return Optional.empty();
        }
        int from = one.get().from();
        int to = one.get().to();
        int at = from + 1;
        if (tokens.isWord(at, "only") || !tokens.isName(at)) {
            return Optional.empty();
        }
        String reference = tokens.name(at);
        while (tokens.is(at + 1, TokenType.DOT) && tokens.isName(at + 2)) {
            at += 2;
            reference = tokens.name(at);
        }
        at++;
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
        for (int i = at + 1; i < to; i++) {
            if (tokens.depth(i) == 0 && RowImageReturning.isReturningKeyword(tokens, i)) {
                return Optional.empty();
            }
        }
        List<String> columns = assignedColumns(tokens, at + 1, to);
        if (columns == null) {
            return Optional.empty();
        }
        int end = tokens.end(to - 1);
        String rewritten = sql.substring(0, end) + " RETURNING " + Identifiers.quote(reference) + ".*"
                + sql.substring(end);
        return Optional.of(new RowImageReturning(rewritten, false, List.of(), columns));
    }

    /**
     * The columns of a SET list ({@code a = …, (b, c) = …}), up to its FROM, WHERE or the end; null when a target is
     * not a plain column name or the list cannot be read.
     */
    private static List<String> assignedColumns(Tokens tokens, int from, int to) {
        List<String> columns = new ArrayList<>();
        int i = from;
        while (i < to) {
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
            // Past the value to the next item or the end of the list.
            while (i < to && !(tokens.depth(i) == 0 && (tokens.is(i, TokenType.COMMA) || endsList(tokens, i)))) {
                i++;
            }
            if (i >= to || !tokens.is(i, TokenType.COMMA)) {
                break;
            }
            i++;
        }
        return columns.isEmpty() ? null : columns;
    }

    /** FROM or WHERE of the statement; {@code IS [NOT] DISTINCT FROM} is part of a value. */
    private static boolean endsList(Tokens tokens, int index) {
        return tokens.isWord(index, "where") || tokens.isWord(index, "from") && !tokens.isWord(index - 1, "distinct");
    }
}
