package io.exodus.analyzer.shadow;

import io.exodus.capture.SqlScanner;
import io.exodus.capture.SqlStatements;
import io.exodus.capture.SqlTokens;
import io.exodus.capture.TokenKind;

import java.util.List;

/**
 * The text to replay for one captured execution: the normalised text with its {@code $n} replaced by the values the
 * proxy captured, written as quoted literals — cast to the type the client's Parse declared for that parameter when
 * the proxy captured it, else of unknown type, which PostgreSQL resolves from its context as it resolves an untyped
 * parameter. The replay can then use the simple protocol on both sides alike. A shape whose
 * values were not captured (simple-protocol literals never are, bound values only with exodus.capture.parameters)
 * cannot be replayed, and says why.
 */
public sealed interface ReplayableSql permits ReplayableSql.Runnable, ReplayableSql.Unrunnable {

    /** What the proxy ships instead of the values of a statement that matches its redaction pattern. */
    String REDACTED = "<redacted>";

    record Runnable(String sql) implements ReplayableSql {
    }

    record Unrunnable(String reason) implements ReplayableSql {
    }

    static ReplayableSql of(String text, List<String> parameters) {
        return of(text, parameters, null);
    }

    /** @param types per parameter, the SQL name of the type its Parse declared; null (or a null name) for untyped */
    static ReplayableSql of(String text, List<String> parameters, List<String> types) {
        if (SqlStatements.split(text).size() != 1) {
            // Guards the read-only transaction: "SELECT 1; COMMIT; DELETE …" would end it and write.
            return new Unrunnable("more than one statement in one text");
        }
        SqlTokens tokens = SqlScanner.scan(text);
        int highest = 0;
        for (int i = 0; i < tokens.count(); i++) {
            if (tokens.kind(i) == TokenKind.PARAMETER) {
                highest = Math.max(highest, number(tokens.text(i)));
            }
        }
        if (highest == 0) {
            return new Runnable(text);
        }
        if (parameters == null) {
            return new Unrunnable("its values were not captured (simple-protocol literals never are; bound values "
                    + "with exodus.capture.parameters=sampled or all on the proxy)");
        }
        if (parameters.size() < highest) {
            return new Unrunnable("the text has $" + highest + " but " + parameters.size() + " values were captured"
                    + " (literals beside bound parameters are not captured)");
        }
        if (parameters.contains(REDACTED)) {
            return new Unrunnable("its values were redacted by the proxy (exodus.capture.redact)");
        }
        StringBuilder sql = new StringBuilder(text.length() + 16 * highest);
        int copied = 0;
        for (int i = 0; i < tokens.count(); i++) {
            if (tokens.kind(i) == TokenKind.PARAMETER) {
                sql.append(text, copied, tokens.start(i));
                int index = number(tokens.text(i)) - 1;
                String type = types == null || index >= types.size() ? null : types.get(index);
                String literal = literal(parameters.get(index));
                sql.append(type == null ? literal : "CAST(" + literal + " AS " + type + ")");
                copied = tokens.end(i);
            }
        }
        return new Runnable(sql.append(text, copied, text.length()).toString());
    }

    private static int number(String parameter) {
        try {
            return Integer.parseInt(parameter.substring(1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** E'…' with backslashes doubled reads the same whatever the server's standard_conforming_strings. */
    private static String literal(String value) {
        if (value == null) {
            return "NULL";
        }
        String quoted = value.replace("'", "''");
        return value.indexOf('\\') < 0 ? "'" + quoted + "'" : "E'" + quoted.replace("\\", "\\\\") + "'";
    }
}
