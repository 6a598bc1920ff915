package io.exodus.proxy.sql;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The temporary tables a statement text creates: {@code CREATE [GLOBAL|LOCAL] TEMP|TEMPORARY TABLE [IF NOT EXISTS]
 * name}, {@code CREATE TABLE pg_temp.name}, {@code SELECT … INTO TEMP|TEMPORARY [TABLE] name}; and temporary views
 * and sequences, which later statements name as plainly (a view of a temporary table is temporary too). A temporary table
 * lives in its session only: a transaction that writes one cannot be applied later on another connection, where the
 * name means a permanent table or nothing.
 */
public final class TemporaryTables {
    private TemporaryTables() {
    }

    /**
     * Follows the text's statements in order: the temporary tables it creates join {@code names}, with the indexes
     * made on them, and those it drops ({@code DROP TABLE name}, {@code DROP INDEX name}, which mean the temporary one
     * while one of that name exists) leave it, so that the permanent table of the same name is not mistaken for it
     * afterwards.
     */
    public static void track(String sql, Set<String> names) {
        if (sql == null || names.isEmpty() && !mentionsTemp(sql)) {
            return;
        }
        walk(SqlLexer.tokenize(sql), new Changes() {
            @Override
            public void created(String table) {
                names.add(table);
            }

            @Override
            public void dropped(String table) {
                names.remove(table);
            }

            @Override
            public void renamed(String table, String newName) {
                if (names.remove(table)) {
                    names.add(newName);
                }
            }

            @Override
            public boolean isTemporary(String table) {
                return names.contains(table);
            }
        });
    }

    /** Lower-case unqualified names, in order. */
    public static Set<String> createdIn(String sql) {
        Set<String> names = new LinkedHashSet<>();
        if (sql != null && mentionsTemp(sql)) {
            walk(SqlLexer.tokenize(sql), names::add);
        }
        return names;
    }

    /** What a statement does to the temporary tables a session may have, in the order it does it. */
    private interface Changes {
        void created(String table);

        default void dropped(String table) {
        }

        default void renamed(String table, String newName) {
        }

        default boolean isTemporary(String table) {
            return false;
        }
    }

    private static void walk(Tokens tokens, Changes changes) {
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.isWord(i, "create") && indexOnTemporaryTable(tokens, i + 1, changes)) {
                continue;
            }
            if (tokens.isWord(i, "create")) {
                int at = i + 1;
                if (tokens.isWord(at, "or") && tokens.isWord(at + 1, "replace")) {
                    at += 2;
                }
                if (tokens.isWord(at, "global") || tokens.isWord(at, "local")) {
                    at++;
                }
                boolean temporary = tokens.isWord(at, "temp") || tokens.isWord(at, "temporary");
                if (temporary) {
                    at++;
                }
                if (tokens.isWord(at, "unlogged")) {
                    at++;
                }
                if (temporary && tokens.isWord(at, "recursive")) {
                    at++;
                }
                // A temporary view or sequence is the session's too, and later statements name it as plainly.
                boolean otherRelation = temporary && (tokens.isWord(at, "view") || tokens.isWord(at, "sequence"));
                if (!temporary && tokens.isWord(at, "view") && tokens.isName(at + 1)) {
                    viewOfTemporaryTables(tokens, at + 1, changes);
                    continue;
                }
                if (!tokens.isWord(at, "table") && !otherRelation) {
                    continue;
                }
                at++;
                if (tokens.isWord(at, "if") && tokens.isWord(at + 1, "not") && tokens.isWord(at + 2, "exists")) {
                    at += 3;
                }
                if (tokens.isName(at) && tokens.is(at + 1, TokenType.DOT) && tokens.isName(at + 2)) {
                    if (tokens.name(at).equals("pg_temp")) {
                        changes.created(tokens.name(at + 2));
                    }
                } else if (temporary && tokens.isName(at)) {
                    changes.created(tokens.name(at));
                }
            } else if (tokens.isWord(i, "into") && (tokens.isWord(i + 1, "temp") || tokens.isWord(i + 1, "temporary"))) {
                int at = tokens.isWord(i + 2, "table") ? i + 3 : i + 2;
                if (tokens.isName(at)) {
                    changes.created(tokens.name(at));
                }
            } else if (tokens.isWord(i, "drop") && (tokens.isWord(i + 1, "table") || tokens.isWord(i + 1, "index")
                    || tokens.isWord(i + 1, "view") || tokens.isWord(i + 1, "sequence"))) {
                walkDropped(tokens, tokens.isWord(i + 2, "concurrently") ? i + 3 : i + 2, changes);
            } else if (tokens.isWord(i, "alter") && tokens.isWord(i + 1, "table")) {
                walkRenamed(tokens, i + 2, changes);
            }
        }
    }

    /**
     * {@code CREATE VIEW name … AS …} that reads a temporary table of the session: PostgreSQL makes the view temporary
     * ("view will be temporary").
     */
    private static void viewOfTemporaryTables(Tokens tokens, int name, Changes changes) {
        if (tokens.is(name + 1, TokenType.DOT)) {
            return;
        }
        for (int i = name + 1; i < tokens.size() && !(tokens.is(i, TokenType.SEMICOLON) && tokens.depth(i) == 0); i++) {
            if (tokens.isName(i) && !tokens.is(i - 1, TokenType.DOT) && changes.isTemporary(tokens.name(i))) {
                changes.created(tokens.name(name));
                return;
            }
        }
    }

    /**
     * {@code CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON [ONLY] t} of a temporary table t: the index is
     * temporary too (it lives in the session's pg_temp), and a later {@code DROP INDEX name} names it. Whether t is
     * temporary is asked of {@code changes}, which knows the session's tables.
     */
    private static boolean indexOnTemporaryTable(Tokens tokens, int from, Changes changes) {
        int at = tokens.isWord(from, "unique") ? from + 1 : from;
        if (!tokens.isWord(at, "index")) {
            return false;
        }
        at++;
        if (tokens.isWord(at, "concurrently")) {
            at++;
        }
        if (tokens.isWord(at, "if") && tokens.isWord(at + 1, "not") && tokens.isWord(at + 2, "exists")) {
            at += 3;
        }
        if (!tokens.isName(at) || !tokens.isWord(at + 1, "on")) {
            return true;
        }
        String index = tokens.name(at);
        at += 2;
        if (tokens.isWord(at, "only")) {
            at++;
        }
        boolean temporary = tokens.isName(at) && tokens.is(at + 1, TokenType.DOT) && tokens.isName(at + 2)
                ? isTemporarySchema(tokens.name(at)) : tokens.isName(at) && changes.isTemporary(tokens.name(at));
        if (temporary) {
            changes.created(index);
        }
        return true;
    }

    /**
     * {@code ALTER TABLE [IF EXISTS] a RENAME TO b}: the temporary table a, if it was one, is b from now on.
     */
    private static void walkRenamed(Tokens tokens, int from, Changes changes) {
        int at = from;
        if (tokens.isWord(at, "if") && tokens.isWord(at + 1, "exists")) {
            at += 2;
        }
        String table;
        if (tokens.isName(at) && tokens.is(at + 1, TokenType.DOT) && tokens.isName(at + 2)) {
            if (!isTemporarySchema(tokens.name(at))) {
                return;
            }
            table = tokens.name(at + 2);
            at += 3;
        } else if (tokens.isName(at)) {
            table = tokens.name(at);
            at++;
        } else {
            return;
        }
        if (tokens.isWord(at, "rename") && tokens.isWord(at + 1, "to") && tokens.isName(at + 2)) {
            changes.renamed(table, tokens.name(at + 2));
        }
    }

    /** The tables of {@code DROP TABLE [IF EXISTS] a, pg_temp.b, …} that may be temporary (not schema-qualified). */
    private static void walkDropped(Tokens tokens, int from, Changes changes) {
        int at = from;
        if (tokens.isWord(at, "if") && tokens.isWord(at + 1, "exists")) {
            at += 2;
        }
        while (tokens.isName(at)) {
            if (tokens.is(at + 1, TokenType.DOT) && tokens.isName(at + 2)) {
                if (isTemporarySchema(tokens.name(at))) {
                    changes.dropped(tokens.name(at + 2));
                }
                at += 3;
            } else {
                changes.dropped(tokens.name(at));
                at++;
            }
            if (!tokens.is(at, TokenType.COMMA)) {
                return;
            }
            at++;
        }
    }

    /**
     * For one {@code DROP TABLE [IF EXISTS] a, b, … [CASCADE | RESTRICT]} that drops temporary tables of the session
     * together with permanent ones: the same statement for the permanent ones alone, as the catch-up applier can run
     * it (the temporary ones are its session's, not the applier's). Empty for any other text, and when it names only
     * temporary tables or only permanent ones.
     */
    public static Optional<String> permanentPart(String sql, Set<String> temporary) {
        if (sql == null || temporary.isEmpty() || !sql.stripLeading().regionMatches(true, 0, "drop", 0, 4)) {
            return Optional.empty();
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty() || !tokens.isWord(one.get().from(), "drop") || !tokens.isWord(one.get().from() + 1, "table")) {
            return Optional.empty();
        }
        int at = one.get().from() + 2;
        if (tokens.isWord(at, "if") && tokens.isWord(at + 1, "exists")) {
            at += 2;
        }
        int listStart = at;
        List<String> permanent = new ArrayList<>();
        boolean anyTemporary = false;
        while (tokens.isName(at)) {
            int nameEnd = at;
            boolean isTemporary;
            if (tokens.is(at + 1, TokenType.DOT) && tokens.isName(at + 2)) {
                isTemporary = isTemporarySchema(tokens.name(at));
                nameEnd = at + 2;
            } else {
                isTemporary = temporary.contains(tokens.name(at));
            }
            if (isTemporary) {
                anyTemporary = true;
            } else {
                permanent.add(sql.substring(tokens.start(at), tokens.end(nameEnd)));
            }
            at = nameEnd + 1;
            if (!tokens.is(at, TokenType.COMMA)) {
                break;
            }
            at++;
        }
        if (!anyTemporary || permanent.isEmpty() || at == listStart) {
            return Optional.empty();
        }
        String rest = at < tokens.size() ? sql.substring(tokens.start(at)) : "";
        return Optional.of(sql.substring(0, tokens.start(listStart)) + String.join(", ", permanent)
                + (rest.isEmpty() || rest.startsWith(";") ? rest : " " + rest));
    }

    /**
     * Whether the text spells TEMP, TEMPORARY or pg_temp anywhere, as every way of creating or naming a temporary
     * table does: a text without them, as nearly every request of a session is, need not be lexed again.
     */
    public static boolean mentionsTemp(String sql) {
        return SqlLexer.maySpell(sql, "temp");
    }

    /**
     * The first name in the text of one of the session's temporary tables anywhere: as the table it writes, but also as the
     * table of its DDL ({@code CREATE INDEX … ON t}, {@code ALTER TABLE t}), a table it reads or a qualifier of a
     * column. A name qualified by a schema other than pg_temp means a permanent table and does not count; a column
     * spelled like a temporary table does, which at worst keeps a transaction out of the queue, loudly.
     */
    public static Optional<String> mentionedIn(String sql, Set<String> temporary) {
        Tokens tokens = SqlLexer.tokenize(sql);
        for (int i = 0; i < tokens.size(); i++) {
            if (!tokens.isName(i)) {
                continue;
            }
            String name = tokens.name(i);
            boolean qualified = i >= 2 && tokens.is(i - 1, TokenType.DOT) && tokens.isName(i - 2);
            if (qualified ? isTemporarySchema(tokens.name(i - 2)) : temporary.contains(name)) {
                return Optional.of(qualified ? tokens.name(i - 2) + "." + name : name);
            }
        }
        return Optional.empty();
    }

    /** {@code pg_temp}, or a session's own temporary schema by its real name ({@code pg_temp_4}). */
    static boolean isTemporarySchema(String schema) {
        return schema.equals("pg_temp") || schema.startsWith("pg_temp_");
    }
}
