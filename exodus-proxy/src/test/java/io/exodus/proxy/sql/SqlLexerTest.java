package io.exodus.proxy.sql;

import static io.exodus.proxy.sql.TokenType.COLON;
import static io.exodus.proxy.sql.TokenType.COMMA;
import static io.exodus.proxy.sql.TokenType.DOT;
import static io.exodus.proxy.sql.TokenType.DOUBLE_COLON;
import static io.exodus.proxy.sql.TokenType.LEFT_BRACKET;
import static io.exodus.proxy.sql.TokenType.LEFT_PAREN;
import static io.exodus.proxy.sql.TokenType.NUMBER;
import static io.exodus.proxy.sql.TokenType.OPERATOR;
import static io.exodus.proxy.sql.TokenType.OTHER;
import static io.exodus.proxy.sql.TokenType.PARAMETER;
import static io.exodus.proxy.sql.TokenType.QUOTED_IDENTIFIER;
import static io.exodus.proxy.sql.TokenType.RIGHT_BRACKET;
import static io.exodus.proxy.sql.TokenType.RIGHT_PAREN;
import static io.exodus.proxy.sql.TokenType.SEMICOLON;
import static io.exodus.proxy.sql.TokenType.STRING;
import static io.exodus.proxy.sql.TokenType.WORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SqlLexerTest {

    /** Each token as TYPE:text, for compact expectations. */
    private static List<String> lex(String sql) {
        return lex(sql, true);
    }

    private static List<String> lex(String sql, boolean standardConformingStrings) {
        Tokens tokens = SqlLexer.tokenize(sql, standardConformingStrings);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            out.add(tokens.type(i) + ":" + tokens.source(i));
        }
        return out;
    }

    private static String t(TokenType type, String text) {
        return type + ":" + text;
    }

    @Test
    void whitespaceAndCommentsMakeNoTokens() {
        assertEquals(List.of(t(WORD, "select"), t(NUMBER, "1")),
                lex(" \t\n\r\f\u000Bselect -- a comment; delete\n /* block */ 1 -- to the end"));
    }

    @Test
    void blockCommentsNest() {
        assertEquals(List.of(t(WORD, "select"), t(NUMBER, "2")), lex("select /* a /* b */ still comment */ 2"));
        assertEquals(List.of(t(WORD, "a"), t(WORD, "b")), lex("a /**/ b"));
    }

    @Test
    void anOperatorStopsWhereACommentStarts() {
        assertEquals(List.of(t(WORD, "a"), t(OPERATOR, "+"), t(NUMBER, "1")), lex("a +-- comment\n 1"));
        assertEquals(List.of(t(WORD, "a"), t(OPERATOR, "*"), t(NUMBER, "1")), lex("a */* comment */ 1"));
        assertEquals(List.of(t(WORD, "a"), t(OPERATOR, "<>"), t(WORD, "b"), t(OPERATOR, "||/"), t(WORD, "c")),
                lex("a<>b||/c"));
    }

    @Test
    void singleQuotedStringsDoubleTheirQuotes() {
        assertEquals(List.of(t(WORD, "select"), t(STRING, "'it''s; delete'"), t(SEMICOLON, ";")),
                lex("select 'it''s; delete';"));
    }

    @Test
    void backslashIsOrdinaryInStandardConformingStringsAndEscapesOtherwise() {
        assertEquals(List.of(t(STRING, "'a\\'"), t(WORD, "z"), t(STRING, "'")), lex("'a\\' z'"));
        assertEquals(List.of(t(STRING, "'a\\' z'")), lex("'a\\' z'", false));
    }

    @Test
    void escapeStringsTakeBackslashEscapesWhateverTheSetting() {
        assertEquals(List.of(t(STRING, "E'a\\'b'"), t(WORD, "c")), lex("E'a\\'b' c"));
        assertEquals(List.of(t(STRING, "e'\\\\'"), t(WORD, "c")), lex("e'\\\\' c"));
    }

    @Test
    void prefixedStringsAreOneToken() {
        assertEquals(List.of(t(STRING, "U&'d\\0061t''a'"), t(WORD, "UESCAPE"), t(STRING, "'\\'")),
                lex("U&'d\\0061t''a' UESCAPE '\\'"));
        assertEquals(List.of(t(STRING, "B'101'"), t(STRING, "X'1F'"), t(STRING, "N'x'")), lex("B'101' X'1F' N'x'"));
    }

    @Test
    void aPrefixCountsOnlyAtTheStartOfAWord() {
        assertEquals(List.of(t(WORD, "same"), t(STRING, "'x'")), lex("same'x'"));
    }

    @Test
    void dollarQuotesWithAndWithoutTags() {
        assertEquals(List.of(t(WORD, "select"), t(STRING, "$$ it's; delete $$")), lex("select $$ it's; delete $$"));
        assertEquals(List.of(t(STRING, "$fn$ a $$ b $x$ c $fn$"), t(WORD, "d")), lex("$fn$ a $$ b $x$ c $fn$ d"));
        assertEquals(List.of(t(STRING, "$a$ $A$ $a$")), lex("$a$ $A$ $a$"));
    }

    @Test
    void aDollarAndDigitsAreAParameterNotAQuote() {
        assertEquals(List.of(t(WORD, "select"), t(PARAMETER, "$1"), t(COMMA, ","), t(PARAMETER, "$23")),
                lex("select $1, $23"));
        assertEquals(List.of(t(PARAMETER, "$1"), t(WORD, "delete"), t(PARAMETER, "$1")), lex("$1 delete $1"));
    }

    @Test
    void dollarSignsInsideAWordBelongToTheWord() {
        assertEquals(List.of(t(WORD, "a$b$"), t(WORD, "delete")), lex("a$b$ delete"));
        assertEquals(List.of(t(OTHER, "$"), t(WORD, "delete")), lex("$ delete"));
    }

    @Test
    void quotedIdentifiersAreNamesNotKeywords() {
        Tokens tokens = SqlLexer.tokenize("select \"delete\", \"a\"\"b\", U&\"d\\0061t\" from t");
        assertEquals(QUOTED_IDENTIFIER, tokens.type(1));
        assertFalse(tokens.isWord(1, "delete"));
        assertEquals("delete", tokens.name(1));
        assertEquals("a\"b", tokens.name(3));
        assertEquals(QUOTED_IDENTIFIER, tokens.type(5));
        assertEquals("d\\0061t", tokens.name(5));
    }

    @Test
    void wordsCompareCaseInsensitivelyAndFoldToLowerCase() {
        Tokens tokens = SqlLexer.tokenize("DeLeTe \"DeLeTe\" ÄbC");
        assertTrue(tokens.isWord(0, "delete"));
        assertEquals("delete", tokens.name(0));
        assertEquals("DeLeTe", tokens.name(1));
        // PostgreSQL folds ASCII letters only.
        assertEquals("Äbc", tokens.name(2));
    }

    @Test
    void numbers() {
        assertEquals(List.of(t(NUMBER, "1"), t(NUMBER, "2.5"), t(NUMBER, ".5"), t(NUMBER, "1e10"), t(NUMBER, "3.0E-2")),
                lex("1 2.5 .5 1e10 3.0E-2"));
        // PostgreSQL before 15 reads "1into" as 1 INTO: letters are never swallowed into a number.
        assertEquals(List.of(t(WORD, "select"), t(NUMBER, "1"), t(WORD, "into"), t(WORD, "t")), lex("select 1into t"));
        assertEquals(List.of(t(NUMBER, "1"), t(DOT, "."), t(DOT, "."), t(NUMBER, "2")), lex("1..2"));
    }

    @Test
    void punctuation() {
        assertEquals(List.of(t(WORD, "a"), t(DOUBLE_COLON, "::"), t(WORD, "int"), t(LEFT_BRACKET, "["),
                t(NUMBER, "1"), t(COLON, ":"), t(NUMBER, "2"), t(RIGHT_BRACKET, "]"), t(DOT, "."), t(WORD, "b"),
                t(LEFT_PAREN, "("), t(RIGHT_PAREN, ")"), t(SEMICOLON, ";")), lex("a::int[1:2].b();"));
    }

    @Test
    void parenthesesKnowTheirDepthAndPartner() {
        Tokens tokens = SqlLexer.tokenize("f((a), b) )");
        assertEquals(0, tokens.depth(1));
        assertEquals(1, tokens.depth(2));
        assertEquals(2, tokens.depth(3));
        assertEquals(4, tokens.partner(2));
        assertEquals(2, tokens.partner(4));
        assertEquals(7, tokens.partner(1));
        // An unmatched closing parenthesis stays at depth 0, without partner.
        assertEquals(0, tokens.depth(8));
        assertEquals(-1, tokens.partner(8));
    }

    @Test
    void unterminatedQuotesRunToTheEndAndUnterminatedCommentsEndTheTokens() {
        assertEquals(List.of(t(WORD, "select"), t(STRING, "'abc; delete from t")), lex("select 'abc; delete from t"));
        assertEquals(List.of(t(STRING, "$x$ abc $x")), lex("$x$ abc $x"));
        assertEquals(List.of(t(QUOTED_IDENTIFIER, "\"abc")), lex("\"abc"));
        assertEquals(List.of(t(WORD, "select")), lex("select /* /* */ delete"));
        assertEquals(List.of(t(STRING, "E'\\")), lex("E'\\"));
    }

    @Test
    void outOfRangeLookupsAnswerNo() {
        Tokens tokens = SqlLexer.tokenize("select");
        assertFalse(tokens.isWord(-1, "select"));
        assertFalse(tokens.isWord(1, "select"));
        assertFalse(tokens.is(5, WORD));
        assertEquals(-1, tokens.partner(7));
        assertEquals(-1, tokens.depth(-3));
    }
}
