package io.exodus.proxy.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Random text, seeded so that a failure repeats: whatever a client sends, lexing and classification answer, and
 * whatever a string, dollar quote, quoted identifier or comment holds, it changes nothing.
 */
class SqlLexerPropertyTest {

    private static final int RUNS = 20_000;

    /** Characters that drive the lexer's states, plus ordinary ones, a non-ASCII letter and a lone surrogate. */
    private static final String ALPHABET = "'\"$-/*\\eEuUbBxXnN&;().,:[]=+<>!0123456789 \t\n\r"
            + "selctdupinrowfa_Äÿ\uD800\u0000";
    private static final String[] WORDS = {"select", "delete", "insert", "update", "into", "for", "with", "as",
        "begin", "commit", "set", "copy", "from", "to", "explain", "analyze", "prepare", "execute", "nextval(",
        "E'", "U&'", "$$", "$t$", "$1", "--", "/*", "*/", "''", "\"", ";", "(", ")"};

    private final StatementClassifier classifier = new StatementClassifier(FunctionVolatility.withoutCatalog());

    @Test
    void lexingAndClassifyingNeverThrowAndTokensStayInOrderWithinTheText() {
        Random random = new Random(20240601L);
        for (int run = 0; run < RUNS; run++) {
            String sql = randomText(random);
            try {
                for (boolean standard : new boolean[] {true, false}) {
                    Tokens tokens = SqlLexer.tokenize(sql, standard);
                    int previousEnd = 0;
                    for (int i = 0; i < tokens.size(); i++) {
                        assertTrue(tokens.start(i) >= previousEnd, "tokens overlap");
                        assertTrue(tokens.end(i) > tokens.start(i), "empty token");
                        assertTrue(tokens.end(i) <= sql.length(), "token past the end");
                        assertTrue(tokens.depth(i) >= 0, "negative depth");
                        previousEnd = tokens.end(i);
                        tokens.name(i);
                    }
                    assertNotNull(classifier.classify(sql, standard).kind());
                }
            } catch (RuntimeException | AssertionError e) {
                fail("run " + run + " failed on " + printable(sql) + ": " + e, e);
            }
        }
    }

    @Test
    void whateverAStringHoldsASelectOfItIsARead() {
        Random random = new Random(7L);
        for (int run = 0; run < RUNS; run++) {
            String content = randomText(random);
            assertRead("select '" + content.replace("'", "''") + "'", content);
            assertRead("select E'" + content.replace("\\", "\\\\").replace("'", "\\'") + "'", content);
            assertRead("select U&'" + content.replace("'", "''") + "'", content);
            if (!content.contains("$q$")) {
                assertRead("select $q$" + content + "$q$", content);
            }
            if (!content.contains("$$")) {
                assertRead("select $$" + content + "$$", content);
            }
            assertRead("select \"" + content.replace("\"", "\"\"") + "\" from t", content);
        }
    }

    @Test
    void whateverACommentHoldsItChangesNothing() {
        Random random = new Random(11L);
        for (int run = 0; run < RUNS; run++) {
            String content = randomText(random);
            if (!content.contains("/*") && !content.contains("*/")) {
                assertRead("/*" + content + "*/ select 1", content);
                assertRead("select /*" + content + "*/ 1", content);
            }
            String line = content.replace('\n', ' ').replace('\r', ' ');
            assertRead("select 1 --" + line, line);
            assertRead("--" + line + "\nselect 1", line);
        }
    }

    private void assertRead(String sql, String content) {
        Classification classification;
        try {
            classification = classifier.classify(sql);
        } catch (RuntimeException e) {
            throw new AssertionError("classifying " + printable(sql) + " threw", e);
        }
        assertEquals(StatementKind.READ, classification.kind(), () -> "content " + printable(content) + " in "
                + printable(sql) + " changed the classification to " + classification);
    }

    private static String randomText(Random random) {
        int length = random.nextInt(40);
        StringBuilder text = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++) {
            if (random.nextInt(4) == 0) {
                text.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextBoolean() ? " " : "");
            } else {
                text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
        }
        return text.toString();
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            out.append(c < ' ' || c > '~' ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append('"').toString();
    }
}
