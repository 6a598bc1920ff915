package io.exodus.proxy.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code COPY … FROM} statement taken apart, so that dual-write can tell where its rows come from, which columns
 * they fill, in which format, and write the same COPY again with more columns:
 *
 * <pre>
 * COPY [BINARY] table [ ( column [, …] ) ] FROM { 'file' | PROGRAM 'command' | STDIN }
 *     [ [ WITH ] ( option [, …] ) | old-style options ] [ WHERE condition ]
 * </pre>
 *
 * Old-style options ({@code BINARY}, {@code DELIMITER [AS] 'x'}, {@code NULL [AS] 'x'}, {@code CSV [HEADER]},
 * {@code QUOTE}, {@code ESCAPE}, {@code FORCE NOT NULL columns}) are read into the same option map as the
 * parenthesised ones. A text this parser does not understand is no {@code COPY … FROM} for it ({@link #parse} is
 * empty); the server then judges it.
 *
 * @param table        the table's name as written (qualified, quoted), to be written back unchanged
 * @param columnSource the column names as written, empty when the COPY names none (all columns)
 * @param columns      the same names as PostgreSQL folds them
 * @param source       where the rows come from
 * @param fileName     the file or program of {@code FROM 'file'} or {@code FROM PROGRAM 'command'}, else null
 * @param options      option name (lower case, new-style spelling) to its value as written (a string constant with
 *                     its quotes, a word, a parenthesised list), or {@code ""} for an option without a value
 * @param where        {@code WHERE …} to the end of the statement as written, or {@code ""}
 */
public record CopyFromStatement(String table, List<String> columnSource, List<String> columns, Source source,
        String fileName, Map<String, String> options, String where) {

    /** Where a {@code COPY … FROM} reads its rows. */
    public enum Source {
        STDIN, FILE, PROGRAM
    }

    /** What the COPY's rows look like on the wire. */
    public enum Format {
        TEXT, CSV, BINARY
    }

    public static Optional<CopyFromStatement> parse(String sql) {
        try {
            return Optional.ofNullable(new Parser(SqlLexer.tokenize(sql)).statement());
        } catch (IndexOutOfBoundsException | IllegalArgumentException broken) {
            return Optional.empty();
        }
    }

    public Format format() {
        String format = options.get("format");
        if (format == null) {
            return Format.TEXT;
        }
        return switch (unquoted(format).toLowerCase(Locale.ROOT)) {
            case "csv" -> Format.CSV;
            case "binary" -> Format.BINARY;
            default -> Format.TEXT;
        };
    }

    /** Whether the data starts with a header line ({@code HEADER}, {@code HEADER true}, {@code HEADER match} …). */
    public boolean header() {
        String value = options.get("header");
        if (value == null) {
            return false;
        }
        String flag = unquoted(value).toLowerCase(Locale.ROOT);
        return !(flag.equals("false") || flag.equals("off") || flag.equals("0"));
    }

    /** The value of a single-character or string option (DELIMITER, NULL, QUOTE, ESCAPE, ENCODING), or null. */
    public String stringOption(String name) {
        String value = options.get(name);
        return value == null || value.isEmpty() ? null : unquoted(value);
    }

    /**
     * The same COPY from STDIN, filling {@code extraColumns} too (already quoted identifiers) and without a header
     * line: what both databases run for rows to which Exodus appended values it drew on the primary.
     */
    public String fromStdinWith(List<String> extraColumns) {
        StringBuilder sql = new StringBuilder("COPY ").append(table).append(" (");
        List<String> all = new ArrayList<>(columnSource);
        all.addAll(extraColumns);
        sql.append(String.join(", ", all)).append(") FROM STDIN");
        List<String> rendered = new ArrayList<>();
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (option.getKey().equals("header")) {
                continue;
            }
            rendered.add(option.getValue().isEmpty() ? option.getKey() : option.getKey() + " " + option.getValue());
        }
        if (!rendered.isEmpty()) {
            sql.append(" WITH (").append(String.join(", ", rendered)).append(')');
        }
        if (!where.isEmpty()) {
            sql.append(' ').append(where);
        }
        return sql.toString();
    }

    /** This COPY reading its rows from STDIN (a file's bytes that Exodus read and sends itself). */
    public CopyFromStatement readingStdin() {
        return new CopyFromStatement(table, columnSource, columns, Source.STDIN, null, options, where);
    }

    /** The same COPY with its rows from STDIN instead of a file, as written otherwise. */
    public String fromStdin() {
        StringBuilder sql = new StringBuilder("COPY ").append(table);
        if (!columnSource.isEmpty()) {
            sql.append(" (").append(String.join(", ", columnSource)).append(')');
        }
        sql.append(" FROM STDIN");
        List<String> rendered = new ArrayList<>();
        for (Map.Entry<String, String> option : options.entrySet()) {
            rendered.add(option.getValue().isEmpty() ? option.getKey() : option.getKey() + " " + option.getValue());
        }
        if (!rendered.isEmpty()) {
            sql.append(" WITH (").append(String.join(", ", rendered)).append(')');
        }
        if (!where.isEmpty()) {
            sql.append(' ').append(where);
        }
        return sql.toString();
    }

    /**
     * {@code COPY (query) TO STDOUT} in this COPY's format, delimiter, NULL string, quoting and encoding: its rows
     * are values written exactly as the client writes the fields of its rows.
     */
    public String toStdoutOf(String query) {
        Format format = format();
        List<String> rendered = new ArrayList<>();
        rendered.add("FORMAT " + format.name().toLowerCase(Locale.ROOT));
        List<String> kept = format == Format.BINARY ? List.of("encoding")
                : format == Format.CSV ? List.of("delimiter", "null", "quote", "escape", "encoding")
                : List.of("delimiter", "null", "encoding");
        for (String name : kept) {
            String value = options.get(name);
            if (value != null && !value.isEmpty()) {
                rendered.add(name + " " + value);
            }
        }
        return "COPY (" + query + ") TO STDOUT WITH (" + String.join(", ", rendered) + ")";
    }

    /** The value of a string constant as written ({@code 'x'}, {@code E'\t'}, {@code $$x$$}), or a word as is. */
    static String unquoted(String written) {
        if (written.length() >= 2 && written.charAt(0) == '\'' && written.endsWith("'")) {
            return written.substring(1, written.length() - 1).replace("''", "'");
        }
        if (written.length() >= 3 && (written.charAt(0) == 'E' || written.charAt(0) == 'e') && written.charAt(1) == '\''
                && written.endsWith("'")) {
            return unescape(written.substring(2, written.length() - 1));
        }
        if (written.startsWith("$")) {
            int open = written.indexOf('$', 1);
            if (open > 0 && written.length() >= 2 * (open + 1)) {
                return written.substring(open + 1, written.length() - open - 1);
            }
        }
        return written;
    }

    /** The backslash escapes of an {@code E'…'} string. */
    private static String unescape(String body) {
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\'' && i + 1 < body.length() && body.charAt(i + 1) == '\'') {
                out.append('\'');
                i++;
                continue;
            }
            if (c != '\\' || i + 1 == body.length()) {
                out.append(c);
                continue;
            }
            char next = body.charAt(++i);
            switch (next) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'x' -> {
                    int end = i + 1;
                    while (end < body.length() && end < i + 3 && Character.digit(body.charAt(end), 16) >= 0) {
                        end++;
                    }
                    out.append((char) Integer.parseInt(body.substring(i + 1, end), 16));
                    i = end - 1;
                }
                default -> {
                    if (next >= '0' && next <= '7') {
                        int end = i;
                        while (end < body.length() && end < i + 3 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
                            end++;
                        }
                        out.append((char) Integer.parseInt(body.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        out.append(next);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Reads one statement's tokens front to back; null when they are no COPY … FROM it understands. */
    private static final class Parser {
        private final Tokens tokens;
        private int at;
        private boolean binaryBeforeTable;
        /** An option given twice. */
        private boolean redundant;

        Parser(Tokens tokens) {
            this.tokens = tokens;
        }

        CopyFromStatement statement() {
            int end = tokens.size();
            while (end > 0 && tokens.is(end - 1, TokenType.SEMICOLON)) {
                end--;
            }
            if (!tokens.isWord(at++, "copy")) {
                return null;
            }
            if (tokens.isWord(at, "binary")) {
                binaryBeforeTable = true;
                at++;
            }
            int tableStart = at;
            if (!tokens.isName(at)) {
                return null;
            }
            at++;
            while (tokens.is(at, TokenType.DOT) && tokens.isName(at + 1)) {
                at += 2;
            }
            String table = tokens.text().substring(tokens.start(tableStart), tokens.end(at - 1));
            List<String> columnSource = new ArrayList<>();
            List<String> columns = new ArrayList<>();
            if (tokens.is(at, TokenType.LEFT_PAREN)) {
                int close = tokens.partner(at);
                if (close < 0) {
                    return null;
                }
                for (int i = at + 1; i < close; i += 2) {
                    if (!tokens.isName(i) || !(i + 1 == close || tokens.is(i + 1, TokenType.COMMA))) {
                        return null;
                    }
                    columnSource.add(tokens.source(i));
                    columns.add(tokens.name(i));
                }
                at = close + 1;
            }
            if (!tokens.isWord(at++, "from")) {
                return null;
            }
            Source source;
            String fileName = null;
            if (tokens.isWord(at, "stdin")) {
                source = Source.STDIN;
                at++;
            } else if (tokens.isWord(at, "program") && tokens.is(at + 1, TokenType.STRING)) {
                source = Source.PROGRAM;
                fileName = unquoted(tokens.source(at + 1));
                at += 2;
            } else if (tokens.is(at, TokenType.STRING)) {
                source = Source.FILE;
                fileName = unquoted(tokens.source(at));
                at++;
            } else {
                return null;
            }
            Map<String, String> options = new LinkedHashMap<>();
            if (binaryBeforeTable) {
                options.put("format", "binary");
            }
            if (tokens.isWord(at, "with")) {
                at++;
            }
            if (tokens.is(at, TokenType.LEFT_PAREN)) {
                if (!newStyleOptions(options)) {
                    return null;
                }
            } else if (!oldStyleOptions(options, end)) {
                return null;
            }
            String where = "";
            if (tokens.isWord(at, "where")) {
                where = tokens.text().substring(tokens.start(at), tokens.end(end - 1));
                at = end;
            }
            if (at != end || redundant) {
                // A repeated option the server refuses ("conflicting or redundant options") before it asks for any
                // data: the text goes to it as written, to be refused in its words.
                return null;
            }
            return new CopyFromStatement(table, List.copyOf(columnSource), List.copyOf(columns), source, fileName,
                    options, where);
        }

        private void option(Map<String, String> options, String name, String value) {
            redundant |= options.put(name, value) != null;
        }

        /** {@code ( name [value], … )}: each option's value kept as written. */
        private boolean newStyleOptions(Map<String, String> options) {
            int close = tokens.partner(at);
            if (close < 0) {
                return false;
            }
            int i = at + 1;
            while (i < close) {
                if (!tokens.is(i, TokenType.WORD)) {
                    return false;
                }
                String name = tokens.name(i);
                int valueStart = i + 1;
                int valueEnd = valueStart;
                while (valueEnd < close && !(tokens.is(valueEnd, TokenType.COMMA)
                        && tokens.depth(valueEnd) == tokens.depth(at) + 1)) {
                    valueEnd++;
                }
                String value = valueEnd == valueStart ? ""
                        : tokens.text().substring(tokens.start(valueStart), tokens.end(valueEnd - 1));
                option(options, name, value);
                i = valueEnd + 1;
            }
            at = close + 1;
            return true;
        }

        /** The options of PostgreSQL 7.3's COPY syntax, still accepted, in new-style spelling. */
        private boolean oldStyleOptions(Map<String, String> options, int end) {
            while (at < end && !tokens.isWord(at, "where")) {
                if (tokens.isWord(at, "binary")) {
                    option(options, "format", "binary");
                    at++;
                } else if (tokens.isWord(at, "csv")) {
                    option(options, "format", "csv");
                    at++;
                } else if (tokens.isWord(at, "header")) {
                    option(options, "header", "");
                    at++;
                } else if (tokens.isWord(at, "freeze")) {
                    option(options, "freeze", "");
                    at++;
                } else if (tokens.isWord(at, "delimiter") || tokens.isWord(at, "null") || tokens.isWord(at, "quote")
                        || tokens.isWord(at, "escape") || tokens.isWord(at, "encoding")) {
                    String name = tokens.name(at++);
                    if (tokens.isWord(at, "as")) {
                        at++;
                    }
                    if (!tokens.is(at, TokenType.STRING)) {
                        return false;
                    }
                    option(options, name, tokens.source(at++));
                } else if (tokens.isWord(at, "force") && tokens.isWord(at + 1, "not") && tokens.isWord(at + 2, "null")) {
                    List<String> names = new ArrayList<>();
                    at = nameList(tokens, at + 3, names);
                    option(options, "force_not_null", "(" + String.join(", ", names) + ")");
                } else if (tokens.isWord(at, "force") && tokens.isWord(at + 1, "null")) {
                    List<String> names = new ArrayList<>();
                    at = nameList(tokens, at + 2, names);
                    option(options, "force_null", "(" + String.join(", ", names) + ")");
                } else {
                    return false;
                }
            }
            return true;
        }
    }

    /** Reads {@code name [, name …]} from {@code at} into {@code names}; returns the index after the list. */
    private static int nameList(Tokens tokens, int at, List<String> names) {
        while (tokens.isName(at)) {
            names.add(tokens.source(at++));
            if (!tokens.is(at, TokenType.COMMA)) {
                break;
            }
            at++;
        }
        return at;
    }
}
