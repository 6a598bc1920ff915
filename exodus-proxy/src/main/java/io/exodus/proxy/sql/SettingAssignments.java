package io.exodus.proxy.sql;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a text only assigns settings values of its own: {@code SET [SESSION | LOCAL] name {TO | =} value [, …]},
 * one or more of them. Such a statement does on any connection what it did on the one it ran on, so a queued
 * transaction can replay it where it ran. What it is not: {@code RESET}, {@code DISCARD} and a value of
 * {@code DEFAULT} go back to the connection's own start-up values, which differ between the client's session and the
 * applier's; {@code SET ROLE}, {@code SET SESSION AUTHORIZATION} and {@code SET TIME ZONE} have forms of their own, left
 * to the general rule (their transaction does not queue after a write) rather than read here.
 */
public final class SettingAssignments {
    /** What {@link #resets} reports for RESET ALL. */
    public static final String ALL = "*";

    private SettingAssignments() {
    }

    public static boolean only(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        int i = 0;
        boolean any = false;
        while (i < tokens.size()) {
            if (tokens.is(i, TokenType.SEMICOLON)) {
                i++;
                continue;
            }
            int end = assignmentEnd(tokens, i);
            if (end < 0) {
                return false;
            }
            any = true;
            i = end;
        }
        return any;
    }

    /**
     * The settings a text sets back to the connection's start-up value, lower case: {@code RESET name},
     * {@code SET [SESSION | LOCAL] name {TO | =} DEFAULT}, {@code SET TIME ZONE {DEFAULT | LOCAL}} (as
     * {@code timezone}), and {@link #ALL} for {@code RESET ALL}. Not {@code RESET ROLE} nor {@code RESET SESSION
     * AUTHORIZATION}, whose start-up value is the session's login either way. Empty when it resets none.
     */
    public static Set<String> resets(String sql) {
        return inEachStatement(sql, SettingAssignments::resetIn);
    }

    /**
     * The settings a text's SET and RESET statements give a value or reset, lower case ({@code SET TIME ZONE} as
     * {@code timezone}; {@link #ALL} for {@code RESET ALL}); not the role, the session authorization, nor a
     * transaction's characteristics or constraints. Empty when it changes none.
     */
    public static Set<String> changed(String sql) {
        return inEachStatement(sql, SettingAssignments::changedIn);
    }

    /** What a statement from a token to the end of the statement names; null for nothing. */
    @FunctionalInterface
    private interface StatementReading {
        String read(Tokens tokens, int at, int end);
    }

    private static Set<String> inEachStatement(String sql, StatementReading reading) {
        Tokens tokens = SqlLexer.tokenize(sql);
        Set<String> named = new TreeSet<>();
        int start = 0;
        while (start < tokens.size()) {
            int end = start;
            while (end < tokens.size() && !tokens.is(end, TokenType.SEMICOLON)) {
                end++;
            }
            String name = reading.read(tokens, start, end);
            if (name != null) {
                named.add(name);
            }
            start = end + 1;
        }
        return named;
    }

    /** The setting the statement from {@code at} to {@code end} gives a value or resets, or null. */
    private static String changedIn(Tokens tokens, int at, int end) {
        if (tokens.isWord(at, "reset")) {
            return resetIn(tokens, at, end);
        }
        if (!tokens.isWord(at, "set")) {
            return null;
        }
        int i = afterScope(tokens, at);
        if (tokens.isWord(i, "time") && tokens.isWord(i + 1, "zone")) {
            return "timezone";
        }
        if (tokens.isWord(i, "role") || tokens.isWord(i, "authorization") || tokens.isWord(i, "transaction")
                || tokens.isWord(i, "constraints")) {
            return null;
        }
        int value = i;
        while (value < end && !assigns(tokens, value)) {
            value++;
        }
        return nameAt(tokens, i, value);
    }

    /** The index after {@code SET [SESSION | LOCAL]}, whose SET is at {@code at}. */
    private static int afterScope(Tokens tokens, int at) {
        int i = at + 1;
        return tokens.isWord(i, "session") || tokens.isWord(i, "local") ? i + 1 : i;
    }

    /** {@code TO} or {@code =}, between a setting's name and its value. */
    private static boolean assigns(Tokens tokens, int index) {
        return tokens.isWord(index, "to") || tokens.is(index, TokenType.OPERATOR) && tokens.source(index).equals("=");
    }

    /** The setting the statement from {@code at} to {@code end} resets, or null. */
    private static String resetIn(Tokens tokens, int at, int end) {
        if (tokens.isWord(at, "reset")) {
            if (tokens.isWord(at + 1, "all")) {
                return ALL;
            }
            if (tokens.isWord(at + 1, "role") || tokens.isWord(at + 1, "session")) {
                return null;
            }
            if (tokens.isWord(at + 1, "time") && tokens.isWord(at + 2, "zone")) {
                return "timezone";
            }
            return nameAt(tokens, at + 1, end);
        }
        if (!tokens.isWord(at, "set")) {
            return null;
        }
        int i = afterScope(tokens, at);
        if (tokens.isWord(i, "time") && tokens.isWord(i + 1, "zone")) {
            return tokens.isWord(i + 2, "default") || tokens.isWord(i + 2, "local") ? "timezone" : null;
        }
        if (end - i != 3 && !(end - i > 3 && tokens.is(i + 1, TokenType.DOT))) {
            return null;
        }
        return tokens.isWord(end - 1, "default") && assigns(tokens, end - 2) ? nameAt(tokens, i, end - 2) : null;
    }

    /** The name from {@code at} to {@code end} ({@code a} or {@code a.b}), lower case, or null when it is not one. */
    private static String nameAt(Tokens tokens, int at, int end) {
        if (at >= end || !tokens.isName(at)) {
            return null;
        }
        StringBuilder name = new StringBuilder(tokens.source(at).replace("\"", ""));
        int i = at + 1;
        while (i + 1 < end && tokens.is(i, TokenType.DOT) && tokens.isName(i + 1)) {
            name.append('.').append(tokens.source(i + 1).replace("\"", ""));
            i += 2;
        }
        return i == end ? name.toString().toLowerCase(Locale.ROOT) : null;
    }

    /** The index after the assignment starting at {@code at} (its semicolon or the end), or -1 when it is not one. */
    private static int assignmentEnd(Tokens tokens, int at) {
        if (!tokens.isWord(at, "set")) {
            return -1;
        }
        int i = at + 1;
        if (tokens.isWord(i, "session") || tokens.isWord(i, "local")) {
            i++;
        }
        if (i >= tokens.size() || !tokens.isName(i) || tokens.isWord(i, "role") || tokens.isWord(i, "time")
                || tokens.isWord(i, "authorization") || tokens.isWord(i, "transaction")
                || tokens.isWord(i, "constraints")) {
            return -1;
        }
        i++;
        while (tokens.is(i, TokenType.DOT) && tokens.isName(i + 1)) {
            i += 2;
        }
        if (!tokens.isWord(i, "to") && !(tokens.is(i, TokenType.OPERATOR) && tokens.source(i).equals("="))) {
            return -1;
        }
        i++;
        int values = 0;
        while (i < tokens.size() && !tokens.is(i, TokenType.SEMICOLON)) {
            if (tokens.isWord(i, "default")) {
                return -1;
            }
            values++;
            i++;
        }
        return values == 0 ? -1 : i;
    }
}
