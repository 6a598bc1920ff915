package io.exodus.proxy.sql;

import java.util.Locale;
import java.util.Optional;

/**
 * A statement that fills a new table or a materialized view with the rows its query reads from other tables: {@code
 * CREATE TABLE … AS SELECT … FROM orders}, {@code SELECT … INTO}, {@code CREATE MATERIALIZED VIEW … AS}, {@code
 * REFRESH MATERIALIZED VIEW}. Run as its text on the target, it reads those tables later than the source did (an
 * autocommit statement a moment later, one in a transaction with its COMMIT, ADR 0051), when another session may have
 * changed them: the copies then hold other rows, with the same row count. Dual-write runs a {@code CREATE TABLE … AS}
 * that reads tables as its two halves, the INSERT's rows copied ({@link CreateTableAs}); the others are listed for
 * verification.
 * <p>
 * A query reads tables when it has a {@code FROM} or {@code JOIN}, or is {@code TABLE name}; on the safe side, a
 * {@code FROM} of a function or of {@code extract(… FROM …)} counts too (its rows are copied for nothing). A query that
 * names the system catalog ({@code pg_class}, {@code information_schema}) does not count: its rows describe each
 * server, and the source's would not fit the target (OIDs, node trees), so its text runs there.
 */
public final class TableFromRows {
    private TableFromRows() {
    }

    /** What the statement fills from other tables' rows, as a divergence gives it, or null. */
    public static String why(String sql) {
        String lower = sql.toLowerCase(Locale.ROOT);
        if (!lower.contains("from") && !lower.contains("join") && !lower.contains("table")
                && !lower.contains("refresh")) {
            return null;
        }
        try {
            Tokens tokens = SqlLexer.tokenize(sql);
            Optional<SingleStatement> one = SingleStatement.in(tokens);
            if (one.isEmpty()) {
                return null;
            }
            int from = one.get().from();
            int to = one.get().to();
            if (tokens.isWord(from, "refresh") && tokens.isWord(from + 1, "materialized")) {
                return CreateTableAs.endsWithNoData(tokens, to) ? null
                        : "REFRESH MATERIALIZED VIEW (its query reads rows as they are when it runs)";
            }
            String made = madeFromQuery(tokens, from, to);
            if (made == null || CreateTableAs.endsWithNoData(tokens, to) || !readsTables(tokens, from, to)) {
                return null;
            }
            return made + " over other tables (it reads their rows as they are when it runs)";
        } catch (IndexOutOfBoundsException | IllegalArgumentException broken) {
            return null;
        }
    }

    /** Whether {@link #why} holds and the statement is a CREATE TABLE … AS, which runs as two halves instead. */
    public static boolean createsTableFromTables(String sql) {
        String why = why(sql);
        return why != null && why.startsWith("CREATE TABLE");
    }

    /** The kind of statement that fills what it makes with its query's rows, or null. */
    private static String madeFromQuery(Tokens tokens, int from, int to) {
        if (tokens.isWord(from, "create")) {
            for (int i = from + 1; i < to && i < from + 5; i++) {
                if (tokens.isWord(i, "table")) {
                    return hasTopLevelAs(tokens, i, to) ? "CREATE TABLE … AS" : null;
                }
                if (tokens.isWord(i, "materialized") && tokens.isWord(i + 1, "view")) {
                    return "CREATE MATERIALIZED VIEW";
                }
            }
            return null;
        }
        if (tokens.isWord(from, "select") || tokens.is(from, TokenType.LEFT_PAREN)) {
            for (int i = from; i < to; i++) {
                if (tokens.depth(i) == tokens.depth(from) && tokens.isWord(i, "into")) {
                    return "SELECT … INTO";
                }
            }
        }
        return null;
    }

    private static boolean hasTopLevelAs(Tokens tokens, int after, int to) {
        for (int i = after; i < to; i++) {
            if (tokens.depth(i) == 0 && tokens.isWord(i, "as")) {
                return !tokens.isWord(i + 1, "execute");
            }
        }
        return false;
    }

    private static boolean readsTables(Tokens tokens, int from, int to) {
        boolean reads = false;
        for (int i = from; i < to; i++) {
            if (tokens.is(i - 1, TokenType.DOT)) {
                continue;
            }
            if (tokens.isName(i) && !tokens.is(i + 1, TokenType.LEFT_PAREN)
                    && (tokens.name(i).startsWith("pg_") || tokens.name(i).equals("information_schema"))) {
                return false;
            }
            if (tokens.isWord(i, "from") && !tokens.isWord(i - 1, "distinct") || tokens.isWord(i, "join")
                    || tokens.isWord(i, "table") && tokens.isWord(i - 1, "as")) {
                reads = true;
            }
        }
        return reads;
    }
}
