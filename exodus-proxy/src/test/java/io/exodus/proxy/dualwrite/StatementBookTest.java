package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.StatementKind;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the session prepared, bound and declared, as the book follows it. */
class StatementBookTest {
    private final StatementBook book = new StatementBook();

    @Test
    void portalsFindTheStatementsTheyBound() {
        book.parsed("s1", statement("select 1"));
        book.bound("p1", "s1");
        assertEquals("select 1", book.portalStatement("p1").sql());
        book.closedPortal("p1");
        assertNull(book.portalStatement("p1"));
        book.closedStatement("s1");
        assertNull(book.statement("s1"));
    }

    /** A new unnamed statement replaces the old one: the secondary's copy of the old one is no longer it. */
    @Test
    void aNewUnnamedStatementIsNotOnTheSecondaryYet() {
        book.parsed("", statement("select 1"));
        book.onSecondary().add("");
        book.onSecondary().add("named");
        book.parsed("", statement("select 2"));
        assertFalse(book.isOnSecondary(""));
        assertTrue(book.isOnSecondary("named"));
        book.secondaryReset();
        assertFalse(book.isOnSecondary("named"));
    }

    @Test
    void deallocateDropsTheProtocolStatementOfThatNameToo() {
        book.parsed("s1", statement("select 1"));
        book.sqlPrepared("s1", Classification.of(StatementKind.READ));
        book.onSecondary().add("s1");
        book.sqlDeallocated("s1");
        assertNull(book.statement("s1"));
        assertNull(book.sqlPrepared("s1"));
        assertFalse(book.isOnSecondary("s1"));
    }

    @Test
    void cursorsThatWriteAreRemembered() {
        book.cursorDeclared("c", true);
        assertTrue(book.cursorWrites("c"));
        book.cursorDeclared("c", false);
        assertFalse(book.cursorWrites("c"));
        book.cursorDeclared("d", true);
        book.cursorClosed("d");
        assertFalse(book.cursorWrites("d"));
    }

    private static StatementBook.Statement statement(String sql) {
        return new StatementBook.Statement(sql, Classification.of(StatementKind.READ), null, Optional.empty());
    }
}
