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

    @Test
    void returnsTheUpdatedTablesRowsAndNamesTheAssignedColumns() {
        RowImageReturning plain = image("update t set at = now() where id = 1");
        assertEquals("update t set at = now() where id = 1 RETURNING \"t\".*", plain.rewrittenSql());
        assertEquals(List.of("at"), plain.updatedColumns());

        RowImageReturning joined = image("UPDATE s.\"Orders\" AS o SET \"Seen\" = clock_timestamp(), n = n + 1 "
                + "FROM items i WHERE i.order_id = o.id;");
        assertEquals("UPDATE s.\"Orders\" AS o SET \"Seen\" = clock_timestamp(), n = n + 1 FROM items i "
                + "WHERE i.order_id = o.id RETURNING \"o\".*;", joined.rewrittenSql());
        assertEquals(List.of("Seen", "n"), joined.updatedColumns());

        assertEquals(List.of("a", "b", "c"),
                image("update t x set (a, b) = (random(), default), c = now() -- why\n").updatedColumns());
        assertEquals("update t x set (a, b) = (random(), default), c = now() RETURNING \"x\".* -- why\n",
                image("update t x set (a, b) = (random(), default), c = now() -- why\n").rewrittenSql());
        assertEquals(List.of("a"), image("update t set a = substring(b from 2) where c = $1").updatedColumns());
    }

    @Test
    void aDistinctFromInAValueDoesNotEndTheSetList() {
        assertEquals(List.of("changed", "at"),
                image("update t set changed = a is distinct from b, at = now() where id = 1").updatedColumns());
    }

    @Test
    void declinesWhatItCannotCopyByKey() {
        assertDeclined("update t set at = now() returning id");
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
