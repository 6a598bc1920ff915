package io.exodus.proxy.sql;

import java.util.Locale;
import java.util.Set;

/**
 * A {@code BEGIN} with nothing that could make it fail: no isolation level, access mode or comment, one statement.
 * Such a BEGIN, sent outside a transaction, always succeeds, so Exodus may answer it itself and send it to the
 * primary together with the transaction's first statement (a round trip less per transaction). A BEGIN with
 * options is left alone: if it failed late, the statement after it would run outside a transaction.
 */
public final class PlainBegin {
    private static final Set<String> FORMS = Set.of("begin", "begin work", "begin transaction", "start transaction");

    private PlainBegin() {
    }

    public static boolean is(String sql) {
        if (sql == null || sql.length() > 40) {
            return false;
        }
        int end = sql.length();
        while (end > 0 && (sql.charAt(end - 1) == ';' || Character.isWhitespace(sql.charAt(end - 1)))) {
            end--;
        }
        int start = 0;
        while (start < end && Character.isWhitespace(sql.charAt(start))) {
            start++;
        }
        String words = sql.substring(start, end).replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        return FORMS.contains(words);
    }
}
