package io.exodus.proxy.sql;

/**
 * Whether a text only assigns settings values of its own: {@code SET [SESSION | LOCAL] name {TO | =} value [, …]},
 * one or more of them. Such a statement does on any connection what it did on the one it ran on, so a queued
 * transaction can replay it where it ran. What it is not: {@code RESET}, {@code DISCARD} and a value of
 * {@code DEFAULT} go back to the connection's own start-up values, which differ between the client's session and the
 * applier's; {@code SET ROLE}, {@code SET SESSION AUTHORIZATION} and {@code SET TIME ZONE} have forms of their own, left
 * to the general rule (their transaction does not queue after a write) rather than read here.
 */
public final class SettingAssignments {
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
