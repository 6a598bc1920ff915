package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeleteReturningTest {
    private static final String ROWS = " RETURNING \"t\".*, ROW(\"t\".*)::text AS \"exodus.old_row\"";

    private static String rewritten(String sql) {
        Optional<RowImageReturning> image = DeleteReturning.of(sql, true);
        assertTrue(image.isPresent(), () -> "expected an image of: " + sql);
        assertTrue(image.get().isDelete(), sql);
        return image.get().rewrittenSql();
    }

    @Test
    void returnsTheDeletedRowsAndEachRowAsText() {
        assertEquals("DELETE FROM t WHERE CURRENT OF c1" + ROWS + ";", rewritten("DELETE FROM t WHERE CURRENT OF c1;"));
        assertEquals("delete from s.t where random() < 0.5" + ROWS + " -- half\n",
                rewritten("delete from s.t where random() < 0.5 -- half\n"));
        assertEquals("delete from t as x using u where u.id = x.id RETURNING \"x\".*, ROW(\"x\".*)::text AS "
                + "\"exodus.old_row\"", rewritten("delete from t as x using u where u.id = x.id"));
        assertEquals("delete from t x" + ROWS.replace("\"t\"", "\"x\""), rewritten("delete from t x"));
    }

    @Test
    void aClientsOwnReturningListIsKeptBeforeAMarkerColumn() {
        RowImageReturning image = DeleteReturning.of("DELETE FROM t WHERE CURRENT OF c RETURNING *", true)
                .orElseThrow();
        assertEquals("DELETE FROM t WHERE CURRENT OF c RETURNING *, NULL AS \"exodus.client_columns_end\", \"t\".*, "
                + "ROW(\"t\".*)::text AS \"exodus.old_row\"", image.rewrittenSql());
        assertTrue(image.splitsAtMarker());
    }

    @Test
    void declinesWhatItCannotReturnAsTheDeletedRows() {
        for (String sql : new String[] {"delete from only t where current of c", "delete from t * where random() < 1",
                "with x as (select 1) delete from t", "delete from t; delete from u", "update t set a = 1",
                "delete from t where (a"}) {
            assertEquals(Optional.empty(), DeleteReturning.of(sql, true), sql);
        }
    }

    @Test
    void cursorsAndDrawnValuesGetAnImageOtherDeletesNone() {
        StatementClassifier classifier = new StatementClassifier(FunctionVolatility.withoutCatalog());
        for (String sql : new String[] {"delete from t where current of c", "delete from t where random() < 0.1"}) {
            assertTrue(RowImageReturning.forStatement(sql, true, classifier.classify(sql)).orElseThrow().isDelete(),
                    sql);
        }
        String plain = "delete from t where id = 1";
        assertFalse(RowImageReturning.forStatement(plain, true, classifier.classify(plain)).isPresent());
        String cursor = "update t set a = a + 1 where current of c";
        assertTrue(RowImageReturning.forStatement(cursor, true, classifier.classify(cursor)).orElseThrow().isUpdate());
    }
}
