package io.exodus.proxy.sql;

import java.util.BitSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

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

    /** Statements that fill what they make with their query's rows, as a divergence names them. */
    private enum Filled {
        CREATE_TABLE_AS("CREATE TABLE … AS over other tables (it reads their rows as they are when it runs)"),
        MATERIALIZED_VIEW("CREATE MATERIALIZED VIEW over other tables (it reads their rows as they are when it runs)"),
        SELECT_INTO("SELECT … INTO over other tables (it reads their rows as they are when it runs)"),
        REFRESH("REFRESH MATERIALIZED VIEW (its query reads rows as they are when it runs)");

        private final String why;

        Filled(String why) {
            this.why = why;
        }
    }

    /** Words that end a FROM list at their depth: after them, a name is no table the query reads. */
    private static final Set<String> AFTER_FROM = Set.of("where", "group", "having", "window", "order", "limit",
            "offset", "fetch", "for", "union", "intersect", "except", "on", "using", "returning", "into");

    /** What the statement fills from other tables' rows, as a divergence gives it, or null. */
    public static String why(String sql) {
        Filled filled = filledFromTables(sql);
        return filled == null ? null : filled.why;
    }

    /** Whether the statement is a {@code CREATE TABLE … AS} over other tables, which runs as two halves instead. */
    public static boolean createsTableFromTables(String sql) {
        return filledFromTables(sql) == Filled.CREATE_TABLE_AS;
    }

    private static Filled filledFromTables(String sql) {
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
            if (CreateTableAs.endsWithNoData(tokens, to)) {
                return null;
            }
            if (tokens.isWord(from, "refresh") && tokens.isWord(from + 1, "materialized")) {
                return Filled.REFRESH;
            }
            Filled made = madeFromQuery(tokens, from, to);
            return made != null && readsTables(tokens, from, to) ? made : null;
        } catch (IndexOutOfBoundsException | IllegalArgumentException broken) {
            return null;
        }
    }

    /** The kind of statement that fills what it makes with its query's rows, or null. */
    private static Filled madeFromQuery(Tokens tokens, int from, int to) {
        if (tokens.isWord(from, "create")) {
            for (int i = from + 1; i < to && i < from + 5; i++) {
                if (tokens.isWord(i, "table")) {
                    return hasTopLevelAs(tokens, i, to) ? Filled.CREATE_TABLE_AS : null;
                }
                if (tokens.isWord(i, "materialized") && tokens.isWord(i + 1, "view")) {
                    return Filled.MATERIALIZED_VIEW;
                }
            }
            return null;
        }
        if (tokens.isWord(from, "select") || tokens.is(from, TokenType.LEFT_PAREN)) {
            for (int i = from; i < to; i++) {
                if (tokens.depth(i) == tokens.depth(from) && tokens.isWord(i, "into")) {
                    return Filled.SELECT_INTO;
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

    /**
     * Whether the query reads a table: a FROM, a JOIN, or {@code AS TABLE name}; false when a table it reads is of the
     * catalog. Only a name where a FROM list names its tables counts as one (after FROM, JOIN, ONLY, or a comma of the
     * list): a column or a new table called {@code pg_something} is no catalog read.
     */
    private static boolean readsTables(Tokens tokens, int from, int to) {
        boolean reads = false;
        BitSet inFromList = new BitSet();
        for (int i = from; i < to; i++) {
            if (tokens.is(i - 1, TokenType.DOT)) {
                continue;
            }
            int depth = tokens.depth(i);
            boolean tableNext = false;
            if (tokens.isWord(i, "from") && !tokens.isWord(i - 1, "distinct") || tokens.isWord(i, "join")) {
                reads = true;
                inFromList.set(depth);
                tableNext = true;
            } else if (tokens.isWord(i, "table") && tokens.isWord(i - 1, "as")) {
                reads = true;
                tableNext = true;
            } else if (tokens.isWord(i, "only") || tokens.is(i, TokenType.COMMA) && inFromList.get(depth)) {
                tableNext = true;
            } else if (tokens.isWordIn(i, AFTER_FROM)) {
                inFromList.clear(depth);
            }
            if (tableNext && tokens.isName(i + 1) && !tokens.is(i + 2, TokenType.LEFT_PAREN)
                    && (tokens.name(i + 1).startsWith("pg_") || tokens.name(i + 1).equals("information_schema"))) {
                return false;
            }
        }
        return reads;
    }
}
