package io.exodus.analyzer.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Captured text and values into the text replayed, and what cannot be replayed. */
class ReplayableSqlTest {

    @Test
    void valuesBecomeQuotedLiteralsWhereverTheirParameterStands() {
        ReplayableSql sql = ReplayableSql.of("SELECT $2, '$1' FROM t WHERE a = $1 AND b = $2 /* $1 */",
                Arrays.asList("it's", null));
        assertEquals(new ReplayableSql.Runnable("SELECT NULL, '$1' FROM t WHERE a = 'it''s' AND b = NULL /* $1 */"),
                sql);
        assertEquals(new ReplayableSql.Runnable("SELECT E'a\\\\b'"), ReplayableSql.of("SELECT $1", List.of("a\\b")));
    }

    @Test
    void aValueWhoseTypeTheClientDeclaredIsCastToIt() {
        assertEquals(new ReplayableSql.Runnable("SELECT abs(CAST('-4' AS bigint)), '7', CAST(NULL AS text)"),
                ReplayableSql.of("SELECT abs($1), $2, $3", java.util.Arrays.asList("-4", "7", null),
                        java.util.Arrays.asList("bigint", null, "text")));
    }

    @Test
    void aTextWithoutValuesIsRunAsItIs() {
        assertEquals(new ReplayableSql.Runnable("SELECT now()"), ReplayableSql.of("SELECT now()", null));
    }

    @Test
    void missingRedactedOrTooFewValuesAreNotReplayable() {
        assertTrue(ReplayableSql.of("SELECT * FROM t WHERE id = $1", null) instanceof ReplayableSql.Unrunnable);
        assertTrue(ReplayableSql.of("SELECT $1, $2", List.of("1")) instanceof ReplayableSql.Unrunnable);
        assertTrue(ReplayableSql.of("SELECT $1", List.of(ReplayableSql.REDACTED))
                instanceof ReplayableSql.Unrunnable);
    }

    @Test
    void aTextOfSeveralStatementsIsNeverRunInsideTheReadOnlyTransaction() {
        assertTrue(ReplayableSql.of("SELECT 1; COMMIT; DELETE FROM t", null) instanceof ReplayableSql.Unrunnable);
    }

    @Test
    void onlyATopLevelOrderByOrdersTheResult() {
        assertTrue(OrderByClause.ordersResult("SELECT word FROM words ORDER BY word"));
        assertTrue(OrderByClause.ordersResult("SELECT a FROM x UNION SELECT b FROM y order  by 1"));
        assertFalse(OrderByClause.ordersResult("SELECT rank() OVER (ORDER BY w) FROM words"));
        assertFalse(OrderByClause.ordersResult("SELECT * FROM (SELECT w FROM words ORDER BY w) s"));
        assertFalse(OrderByClause.ordersResult("SELECT 'ORDER BY' FROM words"));
    }
}
