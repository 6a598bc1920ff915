package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpdateReturningTest {

    private static RowImageReturning image(String sql) {
        Optional<RowImageReturning> image = UpdateReturning.of(sql, true);
        assertTrue(image.isPresent(), () -> "expected an image of: " + sql);
        assertTrue(image.get().isUpdate(), sql);
        return image.get();
    }

    private static void assertDeclined(String sql) {
        assertEquals(Optional.empty(), UpdateReturning.of(sql, true), sql);
    }

    private static final String OLD = ", pg_catalog.current_setting('exodus.old_row', true) AS \"exodus.old_row\"";

    private static String capture(String reference) {
        return "pg_catalog.set_config('exodus.old_row', ROW(\"" + reference + "\".*)::text, true)";
    }

    @Test
    void returnsTheUpdatedTablesRowsAndNamesTheAssignedColumns() {
        RowImageReturning plain = image("update t set at = now() where id = 1");
        assertEquals("update t set at = CASE WHEN " + capture("t") + " IS NULL THEN NULL ELSE (now()) END where id = 1"
                + " RETURNING \"t\".*" + OLD, plain.rewrittenSql());
        assertEquals(List.of("at"), plain.updatedColumns());

        RowImageReturning joined = image("UPDATE s.\"Orders\" AS o SET \"Seen\" = clock_timestamp(), n = n + 1 "
                + "FROM items i WHERE i.order_id = o.id;");
        assertEquals("UPDATE s.\"Orders\" AS o SET \"Seen\" = CASE WHEN " + capture("o") + " IS NULL THEN NULL ELSE "
                + "(clock_timestamp()) END, n = n + 1 FROM items i WHERE i.order_id = o.id RETURNING \"o\".*" + OLD
                + ";", joined.rewrittenSql());
        assertEquals(List.of("Seen", "n"), joined.updatedColumns());

        RowImageReturning multi = image("update t x set (a, b) = (random(), default), c = now() -- why\n");
        assertEquals(List.of("a", "b", "c"), multi.updatedColumns());
        assertEquals("update t x set (a, b) = (random(), default), c = CASE WHEN " + capture("x")
                + " IS NULL THEN NULL ELSE (now()) END RETURNING \"x\".*" + OLD + " -- why\n", multi.rewrittenSql());
        assertEquals(List.of("a"), image("update t set a = substring(b from 2) where c = $1").updatedColumns());
    }

    @Test
    void aValueWhoseTypeComesFromItsColumnIsLeftAsItIsAndTheWhereClauseCapturesTheOldRow() {
        assertEquals("update t set a = DEFAULT WHERE " + capture("t") + " IS NOT NULL RETURNING \"t\".*" + OLD,
                image("update t set a = DEFAULT").rewrittenSql());
        assertEquals("UPDATE itest1 SET a = DEFAULT, b = $1, c = 'x', d = null, e = (1, 2) WHERE (a = 2 or a = 3) AND "
                + capture("itest1") + " IS NOT NULL RETURNING \"itest1\".*" + OLD,
                image("UPDATE itest1 SET a = DEFAULT, b = $1, c = 'x', d = null, e = (1, 2) WHERE a = 2 or a = 3")
                        .rewrittenSql());
    }

    @Test
    void withoutAValueToWrapAJoinOrSubqueryLeavesNoOldRow() {
        assertEquals("update t set a = default from u where u.id = t.id RETURNING \"t\".*",
                image("update t set a = default from u where u.id = t.id").rewrittenSql());
        assertEquals("update t set a = default where id in (select id from u) RETURNING \"t\".*",
                image("update t set a = default where id in (select id from u)").rewrittenSql());
        assertEquals("update t set a = $1 where current of c RETURNING \"t\".*",
                image("update t set a = $1 where current of c").rewrittenSql());
    }

    @Test
    void aCursorsRowIsCapturedInTheSetList() {
        assertEquals("UPDATE uctest SET f1 = CASE WHEN " + capture("uctest") + " IS NULL THEN NULL ELSE (f1 + 10) END "
                + "WHERE CURRENT OF c1 RETURNING \"uctest\".*" + OLD,
                image("UPDATE uctest SET f1 = f1 + 10 WHERE CURRENT OF c1").rewrittenSql());
    }

    @Test
    void aClientsOwnReturningListIsKeptBeforeAMarkerColumn() {
        RowImageReturning returning = image("update t set at = 8 where current of c returning *");
        assertEquals("update t set at = CASE WHEN " + capture("t") + " IS NULL THEN NULL ELSE (8) END "
                + "where current of c returning *, NULL AS \"exodus.client_columns_end\", \"t\".*" + OLD,
                returning.rewrittenSql());
        assertTrue(returning.splitsAtMarker());
    }

    @Test
    void aDistinctFromInAValueDoesNotEndTheSetList() {
        assertEquals(List.of("changed", "at"),
                image("update t set changed = a is distinct from b, at = now() where id = 1").updatedColumns());
    }

    @Test
    void declinesWhatItCannotCopyByKey() {
        assertDeclined("update only t set at = now()");
        assertDeclined("update t * set at = now()");
        assertDeclined("update t set a[1] = now()");
        assertDeclined("update t set c.f = now()");
        assertDeclined("with x as (select 1) update t set at = now()");
        assertDeclined("update t set at = now(); update u set at = now()");
        assertDeclined("delete from t where at < now()");
        assertDeclined("update t set at = (now()");
    }

    @Test
    void onlyUpdatesWithValuesDrawnPerDatabaseGetAnImage() {
        StatementClassifier classifier = new StatementClassifier(FunctionVolatility.withoutCatalog());
        String drawn = "update t set at = now() where id = 1";
        String plain = "update t set n = n + 1 where id = 1";
        assertTrue(RowImageReturning.forStatement(drawn, true, classifier.classify(drawn)).orElseThrow().isUpdate());
        assertEquals(Optional.empty(), RowImageReturning.forStatement(plain, true, classifier.classify(plain)));
    }
}
