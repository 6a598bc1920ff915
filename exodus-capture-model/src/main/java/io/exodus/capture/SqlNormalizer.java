package io.exodus.capture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one normalisation of SQL text that the proxy's capture tap and the analyzer share, so that a fingerprint the
 * proxy computes names the same statement the analyzer reports and recommends pinning.
 * <p>
 * <b>Text</b>: as pg_stat_statements shows a query — the text as written, comments and layout kept, with every literal
 * replaced by a parameter {@code $n}, numbered on from the highest parameter the text already uses; a unary minus goes
 * with its number ({@code -5} becomes one parameter), {@code TRUE} and {@code FALSE} count as literals, {@code NULL}
 * does not ({@code IS NULL} is no literal). Surrounding whitespace and trailing semicolons are dropped. Normalising a
 * normalised text changes nothing.
 * <p>
 * <b>Fingerprint</b>: pg_stat_statements hashes the parse tree, which a proxy does not have; this hashes the token
 * stream instead — words folded to lower case, literals and parameters alike as one placeholder, comments,
 * whitespace and trailing semicolons left out — with SHA-256, of which the first 8 bytes are written as 16 hex
 * digits. So a statement has one fingerprint whatever its layout, its case, its literal values, and whether it came
 * by the simple protocol with literals or the extended one with parameters (pg_stat_statements' queryid tells those
 * two apart). Lists of different lengths ({@code IN (1, 2)} and {@code IN (1, 2, 3)}) are different statements, as in
 * pg_stat_statements before PostgreSQL 18.
 */
public final class SqlNormalizer {
    private static final HexFormat HEX = HexFormat.of();
    // Never part of an SQL token, so the joined stream cannot be ambiguous.
    private static final char SEPARATOR = '\u0001';
    private static final String PLACEHOLDER = "?";

    private SqlNormalizer() {
    }

    public static NormalizedStatement normalize(String sql) {
        SqlTokens tokens = SqlScanner.scan(sql);
        return new NormalizedStatement(normalizedText(tokens), fingerprint(tokens), constants(tokens));
    }

    /**
     * The normalised text alone, without the fingerprint: one scan, no hashing. A caller that sees many texts of few
     * shapes (the capture tap, whose simple-protocol texts differ by their literals only) keys its cache of
     * fingerprints by this, and hashes each shape once: the fingerprint of the normalised text is the text's.
     */
    public static String normalizedText(String sql) {
        return normalizedText(SqlScanner.scan(sql));
    }

    /** The fingerprint of a text, normalised or not (both give the same). */
    public static String fingerprint(String sql) {
        return fingerprint(SqlScanner.scan(sql));
    }

    private static String normalizedText(SqlTokens tokens) {
        String sql = tokens.sql();
        int next = highestParameter(tokens) + 1;
        StringBuilder text = new StringBuilder(sql.length());
        int copied = 0;
        for (int i = 0; i < tokens.count(); i++) {
            if (tokens.kind(i) == TokenKind.CONSTANT) {
                text.append(sql, copied, tokens.start(i)).append('$').append(next++);
                copied = tokens.end(i);
            }
        }
        text.append(sql, copied, endWithoutSemicolons(tokens));
        return text.toString().strip();
    }

    /** Where the text ends without its trailing semicolons (and the comments and blanks around them). */
    private static int endWithoutSemicolons(SqlTokens tokens) {
        int last = lastSignificant(tokens);
        if (last == tokens.count() - 1) {
            return tokens.sql().length();
        }
        return last < 0 ? 0 : tokens.end(last);
    }

    private static int lastSignificant(SqlTokens tokens) {
        int last = tokens.count() - 1;
        while (last >= 0 && tokens.isSymbol(last, ";")) {
            last--;
        }
        return last;
    }

    private static int highestParameter(SqlTokens tokens) {
        int highest = 0;
        for (int i = 0; i < tokens.count(); i++) {
            if (tokens.kind(i) == TokenKind.PARAMETER) {
                String digits = tokens.text(i).substring(1);
                // A parameter number beyond an int is refused by PostgreSQL anyway; it does not shift numbering.
                if (digits.length() < 10) {
                    highest = Math.max(highest, Integer.parseInt(digits));
                }
            }
        }
        return highest;
    }

    private static int constants(SqlTokens tokens) {
        int constants = 0;
        for (int i = 0; i < tokens.count(); i++) {
            if (tokens.kind(i) == TokenKind.CONSTANT) {
                constants++;
            }
        }
        return constants;
    }

    private static String fingerprint(SqlTokens tokens) {
        StringBuilder stream = new StringBuilder(tokens.sql().length());
        int last = lastSignificant(tokens);
        for (int i = 0; i <= last; i++) {
            stream.append(canonical(tokens, i)).append(SEPARATOR);
        }
        byte[] digest = sha256().digest(stream.toString().getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(digest, 0, 8);
    }

    private static String canonical(SqlTokens tokens, int index) {
        return switch (tokens.kind(index)) {
            case CONSTANT, PARAMETER -> PLACEHOLDER;
            case QUOTED_IDENTIFIER -> sameAsUnquoted(tokens.text(index));
            case WORD, SYMBOL -> tokens.folded(index);
        };
    }

    /** {@code "accounts"} and {@code accounts} name the same relation; {@code "Accounts"} another. */
    private static String sameAsUnquoted(String quoted) {
        String inner = quoted.length() >= 2 ? quoted.substring(1, quoted.length() - 1) : quoted;
        if (inner.isEmpty() || !Character.isLowerCase(inner.charAt(0)) && inner.charAt(0) != '_') {
            return quoted;
        }
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_' && c != '$') {
                return quoted;
            }
        }
        return inner;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
