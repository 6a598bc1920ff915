package io.exodus.proxy.sql;

/**
 * A session's own temporary schemas by their real names, {@code pg_temp_N} and {@code pg_toast_temp_N}. N is the
 * backend's slot on its server, so one client session has other names on the other database: a statement that spells
 * the source's name ({@code REINDEX SCHEMA pg_temp_3}, after {@code SELECT pg_my_temp_schema()::regnamespace}) must
 * spell the target's there. {@code pg_temp} itself, the alias, means the same on both and is left alone.
 */
public final class SessionSchemaNames {
    private static final String TEMP = "pg_temp_";
    private static final String TOAST_TEMP = "pg_toast_temp_";

    private SessionSchemaNames() {
    }

    /** Whether the text names some session's temporary schema by its real name. */
    public static boolean namedIn(String sql) {
        if (sql == null || !TemporaryTables.mentionsTemp(sql)) {
            return false;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.isName(i) && number(tokens.name(i)) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The text with the temporary schema {@code from} (a {@code pg_temp_N}) and its toast schema renamed to {@code to}'s,
     * wherever they stand as names; strings, comments and other names are kept as written.
     */
    public static String renamed(String sql, String from, String to) {
        String fromNumber = number(from);
        String toNumber = number(to);
        if (fromNumber == null || toNumber == null || !from.startsWith(TEMP) || !to.startsWith(TEMP)) {
            throw new IllegalArgumentException("not the real names of temporary schemas: " + from + ", " + to);
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        StringBuilder out = new StringBuilder(sql.length() + 8);
        int copied = 0;
        for (int i = 0; i < tokens.size(); i++) {
            if (!tokens.isName(i)) {
                continue;
            }
            String name = tokens.name(i);
            String replacement = name.equals(from) ? to
                    : name.equals(TOAST_TEMP + fromNumber) ? TOAST_TEMP + toNumber : null;
            if (replacement != null) {
                out.append(sql, copied, tokens.start(i)).append(replacement);
                copied = tokens.end(i);
            }
        }
        return copied == 0 ? sql : out.append(sql, copied, sql.length()).toString();
    }

    /** The N of {@code pg_temp_N} or {@code pg_toast_temp_N}, or null for any other name. */
    private static String number(String name) {
        String digits = name.startsWith(TEMP) ? name.substring(TEMP.length())
                : name.startsWith(TOAST_TEMP) ? name.substring(TOAST_TEMP.length()) : null;
        return digits != null && !digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9') ? digits
                : null;
    }
}
