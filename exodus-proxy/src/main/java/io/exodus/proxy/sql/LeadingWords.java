package io.exodus.proxy.sql;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one keyword table of the statements PostgreSQL knows: what the first word of a statement says it does, on its
 * own. {@link StatementRules} reads it for the words it needs nothing more to classify, and looks further into the
 * statement for the others (a SELECT with a volatile function call or a locking clause is a write, a COPY's direction
 * is in its FROM or TO, PREPARE TRANSACTION is transaction control). The metrics' statement class reads the same table
 * from the first bytes of a request, without parsing, so that the two never disagree about a word.
 */
public final class LeadingWords {
    private static final Map<String, StatementKind> KINDS = new LinkedHashMap<>();

    static {
        add(StatementKind.READ, "select", "values", "table", "show", "explain", "fetch", "move", "close", "declare",
                "with");
        add(StatementKind.WRITE, "insert", "update", "delete", "merge", "call", "do", "truncate", "lock", "notify");
        // COPY's direction is in its FROM or TO; the word alone gives the more write-like of the two.
        add(StatementKind.COPY_IN, "copy");
        add(StatementKind.DDL, "create", "alter", "drop", "comment", "grant", "revoke", "security", "import",
                "reassign", "reindex", "cluster", "vacuum", "analyze", "analyse", "refresh");
        add(StatementKind.TRANSACTION, "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release");
        // PREPARE name AS … is session state; PREPARE TRANSACTION, which the rules tell by the next word, is not.
        add(StatementKind.SESSION, "set", "reset", "discard", "listen", "unlisten", "load", "deallocate", "prepare");
    }

    private LeadingWords() {
    }

    private static void add(StatementKind kind, String... words) {
        for (String word : words) {
            KINDS.put(word, kind);
        }
    }

    /** What a statement starting with this word (in lower case) does, as far as the word says; null for any other. */
    public static StatementKind kindOf(String lowerCaseWord) {
        return KINDS.get(lowerCaseWord);
    }

    /** Every word of the table, in lower case, with its kind. */
    public static Map<String, StatementKind> all() {
        return Collections.unmodifiableMap(KINDS);
    }
}
