package io.exodus.proxy.sql;

import java.util.Optional;

/**
 * A {@code CREATE TABLE … AS query} taken apart into the two statements that do the same in one transaction: the
 * table made empty ({@code … WITH NO DATA}), then filled by {@code INSERT INTO table query}. Dual-write runs a CTAS
 * whose query draws values per database ({@code random()}, {@code now()}, {@code gen_random_uuid()}) that way, so
 * that the INSERT's rows reach the secondary as a row image:
 *
 * <pre>
 * CREATE [ GLOBAL | LOCAL ] [ TEMP | TEMPORARY | UNLOGGED ] TABLE name [ ( column [, …] ) ] [ USING method ]
 *     [ WITH ( … ) | WITHOUT OIDS ] [ ON COMMIT … ] [ TABLESPACE name ] AS query [ WITH [ NO ] DATA ]
 * </pre>
 *
 * Not taken apart (empty): {@code IF NOT EXISTS} (the INSERT would fill a table that was there already),
 * {@code AS EXECUTE}, {@code WITH NO DATA} (no rows, nothing drawn), several statements, anything else.
 *
 * @param table      the table's name as written
 * @param withNoData the statement that makes the table, empty
 * @param insert     the statement that fills it with the query's rows
 */
public record CreateTableAs(String table, String withNoData, String insert) {

    public static Optional<CreateTableAs> parse(String sql) {
        try {
            return Optional.ofNullable(of(SqlLexer.tokenize(sql)));
        } catch (IndexOutOfBoundsException | IllegalArgumentException broken) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code sql} is a {@code CREATE TABLE … AS … WITH NO DATA}, which plans its query but runs none of it:
     * nothing in it is drawn, whatever functions the query names.
     */
    public static boolean makesNoRows(String sql) {
        try {
            Tokens tokens = SqlLexer.tokenize(sql);
            Optional<SingleStatement> one = SingleStatement.in(tokens);
            return one.isPresent() && tokens.isWord(one.get().from(), "create")
                    && endsWithNoData(tokens, one.get().to());
        } catch (IndexOutOfBoundsException | IllegalArgumentException broken) {
            return false;
        }
    }

    /** Whether the statement ending before token {@code end} ends with {@code WITH NO DATA}. */
    static boolean endsWithNoData(Tokens tokens, int end) {
        return end >= 3 && tokens.depth(end - 3) == 0 && tokens.isWord(end - 3, "with") && tokens.isWord(end - 2, "no")
                && tokens.isWord(end - 1, "data");
    }

    private static CreateTableAs of(Tokens tokens) {
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty()) {
            return null;
        }
        int start = one.get().from();
        int end = one.get().to();
        int at = start;
        if (!tokens.isWord(at++, "create")) {
            return null;
        }
        if (tokens.isWord(at, "global") || tokens.isWord(at, "local")) {
            at++;
        }
        if (tokens.isWord(at, "temp") || tokens.isWord(at, "temporary") || tokens.isWord(at, "unlogged")) {
            at++;
        }
        if (!tokens.isWord(at++, "table") || tokens.isWord(at, "if") || !tokens.isName(at)) {
            return null;
        }
        int nameStart = at++;
        while (tokens.is(at, TokenType.DOT) && tokens.isName(at + 1)) {
            at += 2;
        }
        String table = tokens.text().substring(tokens.start(nameStart), tokens.end(at - 1));
        int as = -1;
        for (int i = at; i < end; i++) {
            if (tokens.depth(i) == 0 && tokens.isWord(i, "as")) {
                as = i;
                break;
            }
        }
        if (as < 0 || as + 1 >= end || tokens.isWord(as + 1, "execute") || endsWithNoData(tokens, end)) {
            return null;
        }
        int queryEnd = end;
        if (end - 2 > as + 1 && tokens.isWord(end - 2, "with") && tokens.isWord(end - 1, "data")) {
            queryEnd = end - 2;
        }
        String text = tokens.text();
        String query = text.substring(tokens.start(as + 1), tokens.end(queryEnd - 1));
        String head = text.substring(tokens.start(start), tokens.end(queryEnd - 1));
        // A query in parentheses would read as the INSERT's column list.
        String rows = tokens.is(as + 1, TokenType.LEFT_PAREN) && tokens.partner(as + 1) == queryEnd - 1
                ? "SELECT * FROM " + query + " AS exodus_query" : query;
        return new CreateTableAs(table, head + " WITH NO DATA", "INSERT INTO " + table + " " + rows);
    }
}
