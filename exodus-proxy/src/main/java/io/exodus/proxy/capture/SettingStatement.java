package io.exodus.proxy.capture;

import io.exodus.capture.SessionSettings;
import io.exodus.capture.SqlScanner;
import io.exodus.capture.SqlTokens;
import io.exodus.capture.TokenKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads what a statement does to its session's settings, from its text, as PostgreSQL's grammar ({@code gram.y},
 * VariableSetStmt and VariableResetStmt) and {@code flatten_set_variable_args} read it: {@code SET [SESSION | LOCAL]
 * name {TO | =} value [, …] | DEFAULT}, {@code SET TIME ZONE …}, {@code SET SCHEMA …}, {@code SET XML OPTION …},
 * {@code RESET name | ALL | TIME ZONE}, {@code DISCARD ALL}, and a call of {@code set_config} with a literal name.
 * A value becomes the text {@code set_config} would be given for it: words folded to lower case, strings unquoted,
 * the elements of a list joined by {@code ", "}, those of a list of names (search_path …) quoted where they need it.
 * <p>
 * Left out on purpose: {@code SET ROLE} and {@code SET SESSION AUTHORIZATION} (the replay runs as its own role),
 * {@code SET NAMES} (the replay keeps its own encoding), and {@code SET TRANSACTION …}, which is no setting of the
 * session.
 */
final class SettingStatement {
    /** Settings whose value PostgreSQL keeps as a list of quoted names (GUC_LIST_QUOTE). */
    private static final Set<String> LISTS_OF_NAMES = Set.of("search_path", "temp_tablespaces",
            "session_preload_libraries", "local_preload_libraries", "shared_preload_libraries");

    private SettingStatement() {
    }

    /**
     * Whether a Query's text may change a setting, told cheaply, so that the tap keeps the text of a statement it does
     * not capture only then: it starts with SET, RESET or DISCARD, calls set_config, or holds several statements of
     * which one may be a SET.
     */
    static boolean mayChangeSettings(String text) {
        int start = 0;
        while (start < text.length() && !Character.isLetter(text.charAt(start))) {
            start++;
        }
        return text.regionMatches(true, start, "set", 0, 3) || text.regionMatches(true, start, "reset", 0, 5)
                || text.regionMatches(true, start, "discard", 0, 7) || callsSetConfig(text)
                || text.indexOf(';') >= 0 && contains(text, "set");
    }

    /**
     * Whether a text calls set_config, whose statement's tag (SELECT) does not tell that it changed a setting. Asked of
     * every Parse on the event loop: a scan without a copy of the text.
     */
    static boolean callsSetConfig(String text) {
        return contains(text, "set_config");
    }

    private static boolean contains(String text, String word) {
        for (int i = 0; i + word.length() <= text.length(); i++) {
            if (text.regionMatches(true, i, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }

    /** What one statement (not a Query of several) changes; empty when nothing the proxy follows. */
    static List<SettingChange> changes(String statement) {
        SqlTokens tokens = SqlScanner.scan(statement);
        if (tokens.isWord(0, "set")) {
            SettingChange change = set(tokens);
            return change == null ? List.of() : List.of(change);
        }
        if (tokens.isWord(0, "reset")) {
            SettingChange change = reset(tokens);
            return change == null ? List.of() : List.of(change);
        }
        if (tokens.isWord(0, "discard") && tokens.isWord(1, "all") && tokens.count() == 2) {
            return List.of(new SettingChange.ResetAll());
        }
        return setConfigCalls(tokens);
    }

    private static SettingChange set(SqlTokens tokens) {
        int i = 1;
        boolean local = false;
        if (tokens.isWord(i, "local")) {
            local = true;
            i++;
        } else if (tokens.isWord(i, "session") && !tokens.isWord(i + 1, "characteristics")
                && !tokens.isWord(i + 1, "authorization")) {
            i++;
        }
        if (tokens.isWord(i, "time") && tokens.isWord(i + 1, "zone")) {
            return timeZone(tokens, i + 2, local);
        }
        if (tokens.isWord(i, "schema") && i + 2 == tokens.count()) {
            String schema = unquoted(tokens, i + 1);
            return new SettingChange.Assign("search_path", schema == null ? SessionSettings.UNREADABLE
                    : quotedName(schema), local);
        }
        if (tokens.isWord(i, "xml") && tokens.isWord(i + 1, "option") && i + 3 == tokens.count()) {
            return new SettingChange.Assign("xmloption", tokens.folded(i + 2), local);
        }
        if (tokens.isWord(i, "transaction") || tokens.isWord(i, "session") || tokens.isWord(i, "role")
                || tokens.isWord(i, "names") || tokens.isWord(i, "constraints")) {
            return null;
        }
        int afterName = name(tokens, i);
        if (afterName < 0 || !(tokens.isWord(afterName, "to") || tokens.isSymbol(afterName, "="))) {
            return null;
        }
        String name = nameText(tokens, i, afterName);
        if (tokens.isWord(afterName + 1, "default") && afterName + 2 == tokens.count()) {
            return new SettingChange.Reset(name);
        }
        String value = values(tokens, afterName + 1, LISTS_OF_NAMES.contains(name));
        return new SettingChange.Assign(name, value == null ? SessionSettings.UNREADABLE : value, local);
    }

    /** {@code zone_value}: a string, a word, a number, LOCAL or DEFAULT; an interval is not read. */
    private static SettingChange timeZone(SqlTokens tokens, int i, boolean local) {
        if ((tokens.isWord(i, "local") || tokens.isWord(i, "default")) && i + 1 == tokens.count()) {
            return new SettingChange.Reset("timezone");
        }
        String value = values(tokens, i, false);
        return new SettingChange.Assign("timezone", value == null ? SessionSettings.UNREADABLE : value, local);
    }

    private static SettingChange reset(SqlTokens tokens) {
        if (tokens.isWord(1, "all") && tokens.count() == 2) {
            return new SettingChange.ResetAll();
        }
        if (tokens.isWord(1, "time") && tokens.isWord(2, "zone") && tokens.count() == 3) {
            return new SettingChange.Reset("timezone");
        }
        if (tokens.isWord(1, "session") || tokens.isWord(1, "transaction") || tokens.isWord(1, "role")) {
            return null;
        }
        int end = name(tokens, 1);
        return end == tokens.count() ? new SettingChange.Reset(nameText(tokens, 1, end)) : null;
    }

    /**
     * {@code set_config('name', 'value', is_local)} anywhere in a statement: the name must be a literal; a value or
     * an is_local given otherwise (a parameter, an expression) makes the value unreadable.
     */
    private static List<SettingChange> setConfigCalls(SqlTokens tokens) {
        List<SettingChange> changes = new ArrayList<>(1);
        for (int i = 0; i + 2 < tokens.count(); i++) {
            if (!tokens.isWord(i, "set_config") || !tokens.isSymbol(i + 1, "(")) {
                continue;
            }
            String name = tokens.kind(i + 2) == TokenKind.CONSTANT && tokens.isSymbol(i + 3, ",")
                    ? unquoted(tokens, i + 2) : null;
            if (name == null) {
                continue;
            }
            String value = tokens.kind(i + 4) == TokenKind.CONSTANT && tokens.isSymbol(i + 5, ",")
                    ? unquoted(tokens, i + 4) : null;
            String local = i + 6 < tokens.count() && tokens.kind(i + 6) == TokenKind.CONSTANT
                    && tokens.isSymbol(i + 7, ")") ? unquoted(tokens, i + 6) : null;
            boolean isLocal = local != null && (local.equalsIgnoreCase("true") || local.equalsIgnoreCase("t")
                    || local.equalsIgnoreCase("on"));
            changes.add(new SettingChange.Assign(name.toLowerCase(Locale.ROOT),
                    value == null || local == null ? SessionSettings.UNREADABLE : value, isLocal));
        }
        return changes;
    }

    /** Where a dotted name ({@code app.tenant}) starting at {@code i} ends; -1 when none starts there. */
    private static int name(SqlTokens tokens, int i) {
        if (!isNamePart(tokens, i)) {
            return -1;
        }
        int end = i + 1;
        while (tokens.isSymbol(end, ".") && isNamePart(tokens, end + 1)) {
            end += 2;
        }
        return end;
    }

    private static boolean isNamePart(SqlTokens tokens, int i) {
        return i < tokens.count()
                && (tokens.kind(i) == TokenKind.WORD || tokens.kind(i) == TokenKind.QUOTED_IDENTIFIER);
    }

    private static String nameText(SqlTokens tokens, int from, int end) {
        StringBuilder name = new StringBuilder();
        for (int i = from; i < end; i += 2) {
            name.append(i == from ? "" : ".").append(identifier(tokens, i));
        }
        // GUC names are looked up without regard to case, custom ones included.
        return name.toString().toLowerCase(Locale.ROOT);
    }

    /** The elements from {@code i} to the end, separated by commas; null when one is not read. */
    private static String values(SqlTokens tokens, int i, boolean listOfNames) {
        List<String> elements = new ArrayList<>();
        while (i < tokens.count()) {
            int end = i + 1;
            String element = valueText(tokens, i, listOfNames);
            if (element == null && (tokens.isSymbol(i, "-") || tokens.isSymbol(i, "+"))) {
                // A signed number the scanner left apart from its sign.
                String number = valueText(tokens, i + 1, false);
                element = number == null || !Character.isDigit(number.charAt(0)) && number.charAt(0) != '.' ? null
                        : (tokens.isSymbol(i, "-") ? "-" : "") + number;
                end = i + 2;
            }
            if (element == null) {
                return null;
            }
            elements.add(element);
            if (end == tokens.count()) {
                return String.join(", ", elements);
            }
            if (!tokens.isSymbol(end, ",")) {
                return null;
            }
            i = end + 1;
        }
        return null;
    }

    /** One value as flatten_set_variable_args writes it; null when it is not a form read here. */
    private static String valueText(SqlTokens tokens, int i, boolean listOfNames) {
        if (i >= tokens.count()) {
            return null;
        }
        String text = switch (tokens.kind(i)) {
            case WORD, QUOTED_IDENTIFIER -> identifier(tokens, i);
            case CONSTANT -> unquoted(tokens, i);
            default -> null;
        };
        if (text == null) {
            return null;
        }
        boolean number = tokens.kind(i) == TokenKind.CONSTANT && !tokens.text(i).startsWith("'")
                && (Character.isDigit(text.charAt(0)) || text.charAt(0) == '-' || text.charAt(0) == '.');
        return listOfNames && !number ? quotedName(text) : text;
    }

    /** A word in lower case; a quoted identifier's inside, its doubled quotes undone. */
    private static String identifier(SqlTokens tokens, int i) {
        if (tokens.kind(i) == TokenKind.WORD) {
            return tokens.folded(i);
        }
        String quoted = tokens.text(i);
        return quoted.substring(1, Math.max(1, quoted.length() - 1)).replace("\"\"", "\"");
    }

    /**
     * A literal's value: a string unquoted (plain, {@code E'…'} with the common escapes, {@code N'…'}, dollar-quoted),
     * a number or TRUE/FALSE as written; null for the forms not read here (bit strings, {@code U&'…'}, other escapes).
     */
    static String unquoted(SqlTokens tokens, int i) {
        String text = tokens.text(i);
        char first = Character.toLowerCase(text.charAt(0));
        if (first == '\'' && text.length() >= 2 && text.endsWith("'")) {
            return text.substring(1, text.length() - 1).replace("''", "'");
        }
        if (first == 'n' && text.length() >= 3 && text.charAt(1) == '\'' && text.endsWith("'")) {
            return text.substring(2, text.length() - 1).replace("''", "'");
        }
        if (first == 'e' && text.length() >= 3 && text.charAt(1) == '\'' && text.endsWith("'")) {
            return escaped(text.substring(2, text.length() - 1));
        }
        if (first == '$') {
            int tagEnd = text.indexOf('$', 1);
            int bodyEnd = text.length() - (tagEnd + 1);
            return tagEnd < 0 || bodyEnd < tagEnd + 1 ? null : text.substring(tagEnd + 1, bodyEnd);
        }
        if (Character.isDigit(first) || first == '-' || first == '.' || first == '+') {
            return text;
        }
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return text.toLowerCase(Locale.ROOT);
        }
        return null;
    }

    private static String escaped(String body) {
        StringBuilder value = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\'' && i + 1 < body.length() && body.charAt(i + 1) == '\'') {
                value.append('\'');
                i++;
            } else if (c == '\\' && i + 1 < body.length()) {
                char next = body.charAt(++i);
                switch (next) {
                    case '\\', '\'', '"' -> value.append(next);
                    case 'n' -> value.append('\n');
                    case 't' -> value.append('\t');
                    case 'r' -> value.append('\r');
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    default -> {
                        return null;
                    }
                }
            } else {
                value.append(c);
            }
        }
        return value.toString();
    }

    /** A name as PostgreSQL's quote_identifier writes it where it matters to a list's parser: quoted unless plain. */
    private static String quotedName(String name) {
        boolean plain = !name.isEmpty() && (Character.isLowerCase(name.charAt(0)) || name.charAt(0) == '_');
        for (int i = 0; plain && i < name.length(); i++) {
            char c = name.charAt(i);
            plain = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_';
        }
        return plain ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
