package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CursorStatementsTest {
    private final StatementClassifier classifier = new StatementClassifier(FunctionVolatility.fromCatalog(
            java.util.List.of(FunctionVolatility.CatalogRow.ofVolatile("archive", "public"))));

    @Test
    void declareNamesItsCursorAndIsAsWriteLikeAsItsQuery() {
        Classification reading = classifier.classify("DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT 1");
        assertEquals(CursorVerb.DECLARE, reading.cursorVerb());
        assertEquals("c", reading.cursorName());
        assertEquals(StatementKind.READ, reading.kind());
        Classification writing = classifier.classify("declare \"Big\" cursor for select archive(id) from orders");
        assertEquals("Big", writing.cursorName());
        assertEquals(StatementKind.WRITE, writing.kind());
        Classification locking = classifier.classify("declare l cursor for select * from orders for update");
        assertTrue(locking.locking());
    }

    @Test
    void fetchMoveAndCloseNameTheirCursor() {
        for (String sql : new String[] {"FETCH FORWARD 2 FROM _psql_cursor", "fetch _psql_cursor",
            "MOVE ABSOLUTE 5 IN _psql_cursor;", "fetch all from _psql_cursor"}) {
            Classification fetch = classifier.classify(sql);
            assertEquals(CursorVerb.FETCH, fetch.cursorVerb(), sql);
            assertEquals("_psql_cursor", fetch.cursorName(), sql);
            assertEquals(StatementKind.READ, fetch.kind(), sql);
        }
        assertEquals(CursorVerb.CLOSE, classifier.classify("close c").cursorVerb());
        assertEquals("c", classifier.classify("close c").cursorName());
        assertEquals(CursorVerb.CLOSE_ALL, classifier.classify("CLOSE ALL").cursorVerb());
        assertNull(classifier.classify("CLOSE ALL").cursorName());
    }
}
