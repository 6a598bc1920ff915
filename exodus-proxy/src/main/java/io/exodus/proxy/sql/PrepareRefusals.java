package io.exodus.proxy.sql;

import java.util.Locale;
import java.util.Set;

/**
 * What in a statement text makes PostgreSQL refuse {@code PREPARE TRANSACTION} for its transaction later: a temporary
 * object made or named ({@code CREATE TEMP TABLE}, {@code pg_temp.}), {@code LISTEN}, {@code UNLISTEN},
 * {@code NOTIFY} or {@code pg_notify()}, an exported snapshot, and {@code REFRESH MATERIALIZED VIEW CONCURRENTLY}
 * (which works through a temporary table). The session's own temporary tables, named later by plain name, are the
 * session's to know.
 */
public final class PrepareRefusals {
    private static final Set<String> NOTIFICATION_VERBS = Set.of("listen", "unlisten", "notify");

    private PrepareRefusals() {
    }

    /** Why a transaction that runs {@code sql} cannot be prepared, or null. */
    public static String in(String sql) {
        if (sql == null) {
            return null;
        }
        // Every request of a two-phase-commit session passes here: the text is lexed only when it spells a word that
        // matters.
        boolean notifications = SqlLexer.maySpell(sql, "listen") || SqlLexer.maySpell(sql, "notify");
        boolean snapshot = SqlLexer.maySpell(sql, "pg_export_snapshot");
        boolean refresh = SqlLexer.maySpell(sql, "refresh") && SqlLexer.maySpell(sql, "concurrently");
        boolean temporary = TemporaryTables.mentionsTemp(sql);
        if (!notifications && !snapshot && !refresh && !temporary) {
            return null;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        boolean statementStart = true;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.SEMICOLON)) {
                statementStart = true;
                continue;
            }
            if (statementStart) {
                statementStart = false;
                if (tokens.is(i, TokenType.WORD) && NOTIFICATION_VERBS.contains(tokens.name(i))) {
                    return "it runs " + tokens.name(i).toUpperCase(Locale.ROOT);
                }
                if (tokens.isWord(i, "refresh") && tokens.isWord(i + 1, "materialized")
                        && tokens.isWord(i + 2, "view") && tokens.isWord(i + 3, "concurrently")) {
                    return "it refreshes a materialized view concurrently (through a temporary table)";
                }
            }
            if (tokens.is(i, TokenType.WORD) && tokens.is(i + 1, TokenType.LEFT_PAREN)
                    && (tokens.name(i).equals("pg_notify") || tokens.name(i).equals("pg_export_snapshot"))) {
                return "it calls " + tokens.name(i) + "()";
            }
            if (tokens.isName(i) && tokens.is(i + 1, TokenType.DOT)
                    && TemporaryTables.isTemporarySchema(tokens.name(i))) {
                return "it names a temporary object (" + tokens.name(i) + ".…)";
            }
        }
        Set<String> created = temporary ? TemporaryTables.createdIn(sql) : Set.of();
        // CREATE TEMP TABLE, VIEW or SEQUENCE, SELECT … INTO TEMP: as the session's own temporary objects are followed.
        return created.isEmpty() ? null : "it creates the temporary relation " + String.join(", ", created);
    }
}
