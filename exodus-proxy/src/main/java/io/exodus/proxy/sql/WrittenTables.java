package io.exodus.proxy.sql;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The tables a statement text writes, as written ({@code schema.table} when qualified): the targets of INSERT INTO,
 * UPDATE, DELETE FROM, MERGE INTO and TRUNCATE, also inside writing CTEs. What a function or trigger writes is not
 * seen. Used to name the tables that become divergent when a transaction the target missed cannot be queued.
 */
public final class WrittenTables {
    private WrittenTables() {
    }

    public static Set<String> in(String sql) {
        Set<String> tables = new LinkedHashSet<>();
        if (sql == null) {
            return tables;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        for (int i = 0; i < tokens.size(); i++) {
            int name = -1;
            if ((tokens.isWord(i, "insert") || tokens.isWord(i, "merge")) && tokens.isWord(i + 1, "into")) {
                name = i + 2;
            } else if (tokens.isWord(i, "update") && !afterLockingOrConflictWord(tokens, i)) {
                name = i + 1;
            } else if (tokens.isWord(i, "delete") && tokens.isWord(i + 1, "from")) {
                name = i + 2;
            } else if (tokens.isWord(i, "truncate")) {
                name = tokens.isWord(i + 1, "table") ? i + 2 : i + 1;
                while (true) {
                    int end = addName(tokens, name, tables);
                    if (end < 0 || !tokens.is(end, TokenType.COMMA)) {
                        break;
                    }
                    name = end + 1;
                }
                continue;
            }
            if (name >= 0) {
                addName(tokens, name, tables);
            }
        }
        return tables;
    }

    /**
     * {@code FOR UPDATE}, {@code FOR NO KEY UPDATE}, {@code ON CONFLICT … DO UPDATE} and MERGE's
     * {@code WHEN MATCHED THEN UPDATE SET} lock or update no table they name.
     */
    private static boolean afterLockingOrConflictWord(Tokens tokens, int update) {
        return tokens.isWord(update - 1, "for") || tokens.isWord(update - 1, "key") || tokens.isWord(update - 1, "do")
                || tokens.isWord(update - 1, "then") || tokens.isWord(update + 1, "set");
    }

    /** Adds the (possibly qualified) name starting at index, skipping ONLY; returns the index after it, or -1. */
    private static int addName(Tokens tokens, int index, Set<String> tables) {
        if (tokens.isWord(index, "only")) {
            index++;
        }
        if (!tokens.isName(index)) {
            return -1;
        }
        StringBuilder name = new StringBuilder(tokens.name(index));
        index++;
        while (tokens.is(index, TokenType.DOT) && tokens.isName(index + 1)) {
            name.append('.').append(tokens.name(index + 1));
            index += 2;
        }
        tables.add(name.toString());
        return index;
    }
}
