package io.exodus.capture;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SqlStatementsTest {

    @Test
    void splitsAQueryOfSeveralStatementsAtItsSemicolons() {
        assertEquals(List.of("BEGIN", "UPDATE t SET v = 1 WHERE id = 2", "COMMIT"),
                SqlStatements.split("BEGIN; UPDATE t SET v = 1 WHERE id = 2;\n COMMIT;"));
    }

    @Test
    void semicolonsInLiteralsCommentsAndDollarQuotesDoNotSplit() {
        String sql = "SELECT 'a;b', \"c;d\" /* ; */ -- ;\n FROM t; DO $$BEGIN PERFORM 1; END$$";
        assertEquals(List.of("SELECT 'a;b', \"c;d\" /* ; */ -- ;\n FROM t", "DO $$BEGIN PERFORM 1; END$$"),
                SqlStatements.split(sql));
    }

    @Test
    void emptyStatementsAndCommentOnlyPartsAreLeftOut() {
        assertEquals(List.of("SELECT 1", "SELECT 2"), SqlStatements.split(";; SELECT 1;; /* nothing */ ; SELECT 2 ;"));
        assertEquals(List.of(), SqlStatements.split("  ; "));
    }

    @Test
    void theIndexedStatementOrNullBeyondTheLast() {
        assertEquals("SELECT 1", SqlStatements.statement("  SELECT 1  ", 0));
        assertEquals("SELECT 2", SqlStatements.statement("SELECT 1; SELECT 2", 1));
        assertNull(SqlStatements.statement("SELECT 1; SELECT 2", 2));
        assertNull(SqlStatements.statement("   ", 0));
    }

    @Test
    void aStatementEndingInASemicolonIsItselfWithoutIt() {
        assertEquals("UPDATE t SET v = v + 1 WHERE id = 2",
                SqlStatements.statement("UPDATE t SET v = v + 1 WHERE id = 2;  ", 0));
        assertEquals("SELECT 'a;b'", SqlStatements.statement("SELECT 'a;b';", 0));
        assertNull(SqlStatements.statement("SELECT 1;", 1));
        assertNull(SqlStatements.statement(" ; ", 0));
    }
}
