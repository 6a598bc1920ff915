package io.exodus.proxy.consistency;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each column of a view comes from: the table and column of its base that a plain column reference names
 * ({@code resorigtbl}, {@code resorigcol} of the view query's target list), read from the query tree PostgreSQL keeps
 * for the view ({@code pg_rewrite.ev_action} as text). A row image written through a view must leave out a column
 * whose origin is a generated column (the target refuses a value for it) or the origin of an earlier column of the
 * view ({@code SELECT a, b, a AS aa}: "multiple assignments to same column"). Only the top-level query's target list
 * counts: a sub-select in the view's WHERE clause has one of its own.
 */
final class ViewColumnOrigins {
    /** A column of a base table: its table's OID and its number. */
    record Origin(long table, int column) {
    }

    private static final Pattern FIELD = Pattern.compile(":(resno|resorigtbl|resorigcol) (\\d+)");

    private ViewColumnOrigins() {
    }

    /** The origin of each view column that has one, by its number; empty when the text is not a query tree. */
    static Map<Integer, Origin> of(String evAction) {
        Map<Integer, Origin> origins = new HashMap<>();
        int list = topLevelField(evAction, ":targetList (");
        if (list < 0) {
            return origins;
        }
        int depth = 0;
        StringBuilder entry = null;
        for (int i = list; i < evAction.length(); i++) {
            char c = evAction.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c == '{') {
                depth++;
                if (depth == 1) {
                    entry = new StringBuilder();
                }
            } else if (c == '}') {
                if (depth == 1 && entry != null) {
                    add(entry, origins);
                    entry = null;
                }
                depth--;
            } else if (c == ')' && depth == 0) {
                break;
            } else if (depth == 1 && entry != null) {
                // Only the target entry's own fields: its expression's nested nodes are skipped.
                entry.append(c);
            }
        }
        return origins;
    }

    private static void add(CharSequence entry, Map<Integer, Origin> origins) {
        Matcher field = FIELD.matcher(entry);
        int resno = -1;
        long table = 0;
        int column = 0;
        while (field.find()) {
            switch (field.group(1)) {
                case "resno" -> resno = Integer.parseInt(field.group(2));
                case "resorigtbl" -> table = Long.parseLong(field.group(2));
                default -> column = Integer.parseInt(field.group(2));
            }
        }
        if (resno > 0 && table != 0 && column > 0) {
            origins.put(resno, new Origin(table, column));
        }
    }

    /** Where {@code field} of the outermost query node starts (just after it), or -1. */
    private static int topLevelField(String tree, String field) {
        int depth = 0;
        for (int i = 0; i < tree.length(); i++) {
            char c = tree.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (depth == 1 && c == ':' && tree.startsWith(field, i)) {
                return i + field.length();
            }
        }
        return -1;
    }
}
