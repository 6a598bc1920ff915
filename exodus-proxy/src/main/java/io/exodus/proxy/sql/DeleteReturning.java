package io.exodus.proxy.sql;

import java.util.List;
import java.util.Optional;

/**
 * A DELETE made to hand back the rows it removed, so that dual-write can remove exactly the secondary's copies of those
 * rows instead of running the DELETE there again: where it names a cursor ({@code WHERE CURRENT OF c}) that exists on
 * the primary alone, or where its condition draws values that differ per database ({@code random()}).
 * <p>
 * {@link #of} rewrites a text that is exactly one plain {@code DELETE FROM name [[AS] alias] [USING …] [WHERE …]
 * [RETURNING …]}: it adds the table's whole rows and each row as text ({@link RowImageReturning#OLD_ROW}), by which the
 * secondary finds a row of a table without primary key ({@code consistency.RowImageDelete}); after a
 * client's own RETURNING list, behind a marker column ({@link RowImageReturning#withRows}). It declines
 * {@code DELETE FROM ONLY}, {@code name *}, {@code WITH} and several statements.
 */
public final class DeleteReturning {
    private DeleteReturning() {
    }

    /** @param standardConformingStrings the session's setting, as for {@link SqlLexer#tokenize(String, boolean)} */
    public static Optional<RowImageReturning> of(String sql, boolean standardConformingStrings) {
        return of(SqlLexer.tokenize(sql, standardConformingStrings));
    }

    static Optional<RowImageReturning> of(Tokens tokens) {
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty() || !one.get().balanced(tokens)) {
            return Optional.empty();
        }
        int from = one.get().from();
        int to = one.get().to();
        RowImageReturning.TableName table = RowImageReturning.TableName.at(tokens, from + 2);
        if (!tokens.isWord(from, "delete") || !tokens.isWord(from + 1, "from") || tokens.isWord(from + 2, "only")
                || table == null) {
            return Optional.empty();
        }
        String reference = table.lastPart();
        int at = table.next();
        if (tokens.is(at, TokenType.OPERATOR)) {
            // name *: the table and its children, as without the star, but let the server alone read that form.
            return Optional.empty();
        }
        if (tokens.isWord(at, "as")) {
            at++;
        }
        if (tokens.isName(at) && !tokens.isWord(at, "using") && !tokens.isWord(at, "where")
                && !RowImageReturning.isReturningKeyword(tokens, at)) {
            reference = tokens.name(at);
        }
        boolean clientReturns = false;
        for (int i = at; i < to; i++) {
            clientReturns |= tokens.depth(i) == 0 && RowImageReturning.isReturningKeyword(tokens, i);
        }
        return Optional.of(RowImageReturning.withRows(tokens.text(), tokens.end(to - 1), clientReturns, reference,
                "ROW(" + Identifiers.quote(reference) + ".*)::text", List.of(), RowImageReturning.Writes.DELETES,
                RowImageReturning.whereCurrentOf(tokens) < 0 ? null : table.text()));
    }
}
