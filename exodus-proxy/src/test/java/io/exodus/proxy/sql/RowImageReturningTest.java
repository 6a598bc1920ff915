package io.exodus.proxy.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class RowImageReturningTest {
    /** What an INSERT without RETURNING gets: the whole rows, and a column for tables without any. */
    private static final String ROWS = "RETURNING *, NULL AS \"exodus.row\"";

    private static String rewritten(String sql) {
        Optional<RowImageReturning> rewrite = RowImageReturning.of(sql, true);
        assertTrue(rewrite.isPresent(), () -> "expected a rewrite of: " + sql);
        assertFalse(rewrite.get().clientAskedForAllColumns(), sql);
        return rewrite.get().rewrittenSql();
    }

    private static void assertDeclined(String sql) {
        assertEquals(Optional.empty(), RowImageReturning.of(sql, true), sql);
    }

    private static void assertKeptAsAsked(String sql) {
        Optional<RowImageReturning> rewrite = RowImageReturning.of(sql, true);
        assertTrue(rewrite.isPresent(), () -> "expected the client's RETURNING * to be accepted: " + sql);
        assertTrue(rewrite.get().clientAskedForAllColumns(), sql);
        assertEquals(sql, rewrite.get().rewrittenSql());
    }

    @Test
    void appendsReturningToAPlainInsert() {
        assertEquals("insert into t values (1) " + ROWS, rewritten("insert into t values (1)"));
        assertEquals("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y') " + ROWS,
                rewritten("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')"));
        assertEquals("insert into t default values " + ROWS, rewritten("insert into t default values"));
        assertEquals("insert into s.t as x (a) overriding system value values ($1) " + ROWS,
                rewritten("insert into s.t as x (a) overriding system value values ($1)"));
        assertEquals("Insert Into t Values(1) " + ROWS, rewritten("Insert Into t Values(1)"));
    }

    @Test
    void putsReturningBeforeATrailingSemicolonWhitespaceOrComment() {
        assertEquals("insert into t values (1) " + ROWS + ";", rewritten("insert into t values (1);"));
        assertEquals("insert into t values (1) " + ROWS + "  ;  \n", rewritten("insert into t values (1)  ;  \n"));
        assertEquals("insert into t values (1) " + ROWS + " -- the end",
                rewritten("insert into t values (1) -- the end"));
        assertEquals("insert into t values (1) " + ROWS + "; -- the end\n",
                rewritten("insert into t values (1); -- the end\n"));
        assertEquals("insert into t values (1) " + ROWS + " /* returning a */ ;;",
                rewritten("insert into t values (1) /* returning a */ ;;"));
        assertEquals("-- lead\ninsert into t values (1) " + ROWS, rewritten("-- lead\ninsert into t values (1)"));
    }

    @Test
    void leavesStringsDollarQuotesAndQuotedNamesAlone() {
        assertEquals("insert into t values ('returning *; x') " + ROWS,
                rewritten("insert into t values ('returning *; x')"));
        assertEquals("insert into t values ($$ ; returning id $$) " + ROWS,
                rewritten("insert into t values ($$ ; returning id $$)"));
        assertEquals("insert into t values ($q$ it's; $$ returning $q$) " + ROWS,
                rewritten("insert into t values ($q$ it's; $$ returning $q$)"));
        assertEquals("insert into \"returning\" (\"returning\") values (1) " + ROWS,
                rewritten("insert into \"returning\" (\"returning\") values (1)"));
        assertEquals("insert into t values (E'\\' returning x') " + ROWS,
                rewritten("insert into t values (E'\\' returning x')"));
    }

    @Test
    void readsBackslashesAsTheSessionDoes() {
        // standard_conforming_strings off: the backslash escapes the quote, so the string runs to the end.
        String sql = "insert into t values ('a\\'); returning')";
        assertEquals(Optional.of(new RowImageReturning(sql + " " + ROWS, false)), RowImageReturning.of(sql, false));
        // On, the string ends after the backslash and the text holds two statements.
        assertDeclined(sql);
    }

    @Test
    void onlyReturningOutsideParenthesesIsTheClause() {
        assertEquals("insert into t select a from u where b in (select 1 as returning) " + ROWS,
                rewritten("insert into t select a from u where b in (select 1 as returning)"));
        assertEquals("insert into t (a) select x.returning from s.returning x " + ROWS,
                rewritten("insert into t (a) select x.returning from s.returning x"));
        assertEquals("insert into t select 1 as returning " + ROWS,
                rewritten("insert into t select 1 as returning"));
        assertEquals("insert into t (a) (select v from (values (1)) x(v)) " + ROWS,
                rewritten("insert into t (a) (select v from (values (1)) x(v))"));
    }

    @Test
    void acceptsTheClientsOwnReturningStar() {
        assertKeptAsAsked("insert into t values (1) returning *");
        assertKeptAsAsked("insert into t values (1) RETURNING * ;");
        assertKeptAsAsked("insert into t values (1) returning*");
        assertKeptAsAsked("insert into t values (1) returning * -- all of it");
        assertKeptAsAsked("insert into t values (1) on conflict do nothing returning *");
    }

    /** Any other list stays the client's, followed by a marker column and the whole rows for the row image. */
    @Test
    void otherReturningListsAreFollowedByAMarkerAndTheWholeRows() {
        for (String list : new String[] {"*, id", "id, *", "t.*", "* as x", "id + 1", "id as key", "t.id, t.uid"}) {
            String sql = "insert into t values (1) returning " + list + ";";
            RowImageReturning split = RowImageReturning.of(sql, true).orElseThrow();
            assertEquals("insert into t values (1) returning " + list + ", NULL AS \"exodus.client_columns_end\", *;",
                    split.rewrittenSql(), sql);
            assertTrue(split.splitsAtMarker(), sql);
            assertFalse(split.clientAskedForAllColumns(), sql);
        }
        assertFalse(RowImageReturning.of("insert into t values (1) returning id", true).orElseThrow().splitsAtMarker());
    }

    /** The table's name or alias in RETURNING is its whole row (regression suite: insert.sql, returningwrtest). */
    @Test
    void theTablesOwnNameInReturningIsLeftToTheServer() {
        for (String sql : new String[] {"insert into returningwrtest values (1) returning returningwrtest",
            "insert into public.w values (1) returning id, w", "insert into w as x (a) values (1) returning x",
            "insert into w x values (1) returning a, x"}) {
            assertTrue(RowImageReturning.of(sql, true).orElseThrow().splitsAtMarker(), sql);
        }
        assertFalse(RowImageReturning.of("insert into w as x (a) values (1) returning a", true).orElseThrow()
                .splitsAtMarker());
    }

    @Test
    void namedColumnsRunAsReturningStarAndAreProjectedForTheClient() {
        RowImageReturning named = RowImageReturning.of("insert into t (a) values ($1) returning id, \"Created\";", true)
                .orElseThrow();
        assertEquals("insert into t (a) values ($1) RETURNING *;", named.rewrittenSql());
        assertEquals(java.util.List.of("id", "Created"), named.projection());
        assertTrue(named.projects());
        assertFalse(named.clientAskedForAllColumns());
        assertEquals(java.util.List.of("returning"),
                RowImageReturning.of("insert into t values (1) returning \"returning\"", true).orElseThrow().projection());
        assertEquals(java.util.List.of("id"), RowImageReturning.of("INSERT INTO t VALUES (1) RETURNING ID", true)
                .orElseThrow().projection());
    }

    @Test
    void onConflictDoNothingIsFineAndDoUpdateIsNot() {
        assertEquals("insert into t values (1) on conflict do nothing " + ROWS,
                rewritten("insert into t values (1) on conflict do nothing"));
        assertEquals("insert into t values (1) on conflict (id) do nothing " + ROWS + ";",
                rewritten("insert into t values (1) on conflict (id) do nothing;"));
        assertEquals("insert into t values (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING " + ROWS,
                rewritten("insert into t values (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING"));
        assertDeclined("insert into t values (1) on conflict (id) do update set n = t.n + 1");
        assertDeclined("insert into t values (1) ON CONFLICT (id) WHERE id > 0 DO UPDATE SET n = excluded.n");
        assertDeclined("insert into t values (1) on conflict on constraint t_pkey do update set n = 2 returning *");
        assertDeclined("insert into t values (1) on conflict (id) do update set n = 2 where t.n < 2");
    }

    @Test
    void declinesEverythingButOneTopLevelInsert() {
        assertDeclined("with x as (select 1) insert into t select * from x");
        assertDeclined("explain insert into t values (1)");
        assertDeclined("explain analyze insert into t values (1)");
        assertDeclined("prepare p as insert into t values ($1)");
        assertDeclined("update t set a = 1");
        assertDeclined("delete from t");
        assertDeclined("select 1");
        assertDeclined("(insert into t values (1))");
        assertDeclined("copy t from stdin");
        assertDeclined("");
        assertDeclined("  ;  -- nothing");
    }

    @Test
    void declinesSeveralStatements() {
        assertDeclined("insert into t values (1); insert into t values (2)");
        assertDeclined("insert into t values (1); select 1");
        assertDeclined("begin; insert into t values (1)");
        assertDeclined("insert into t values (1); commit;");
    }

    @Test
    void declinesBrokenParentheses() {
        assertDeclined("insert into t values (1");
        assertDeclined("insert into t values 1)");
    }

    @Test
    void keepsEverythingAfterTheStatementAsWritten() {
        String sql = "insert into t values (1) /* a */ ; /* b */ -- c";
        assertEquals("insert into t values (1) " + ROWS + " /* a */ ; /* b */ -- c", rewritten(sql));
    }
}
