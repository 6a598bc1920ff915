package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionSchemaNamesTest {

    @Test
    void aRealNameOfATemporarySchemaIsNamed() {
        assertTrue(SessionSchemaNames.namedIn("REINDEX SCHEMA pg_temp_3"));
        assertTrue(SessionSchemaNames.namedIn("insert into \"pg_temp_12\".t values (1)"));
        assertTrue(SessionSchemaNames.namedIn("select * from PG_TOAST_TEMP_4.pg_toast_1"));
    }

    @Test
    void theAliasStringsCommentsAndLookalikesAreNot() {
        assertFalse(SessionSchemaNames.namedIn("insert into pg_temp.t values (1)"));
        assertFalse(SessionSchemaNames.namedIn("select 'pg_temp_3' -- pg_temp_3"));
        assertFalse(SessionSchemaNames.namedIn("select * from pg_temp_x.t, pg_temp_.u"));
        assertFalse(SessionSchemaNames.namedIn("select * from t"));
        assertFalse(SessionSchemaNames.namedIn(null));
    }

    @Test
    void renamingReplacesTheSchemaAndItsToastTwinWhereverTheyAreNames() {
        assertEquals("REINDEX SCHEMA CONCURRENTLY pg_temp_7",
                SessionSchemaNames.renamed("REINDEX SCHEMA CONCURRENTLY pg_temp_3", "pg_temp_3", "pg_temp_7"));
        assertEquals("update pg_temp_7.t set c = 'pg_temp_3' from pg_toast_temp_7.x /* pg_temp_3 */",
                SessionSchemaNames.renamed("update \"pg_temp_3\".t set c = 'pg_temp_3' from pg_toast_temp_3.x"
                        + " /* pg_temp_3 */", "pg_temp_3", "pg_temp_7"));
    }

    @Test
    void otherSessionsSchemasAndTheAliasAreKept() {
        String sql = "select * from pg_temp_31.a, pg_temp.b, pg_toast_temp_30.c";
        assertEquals(sql, SessionSchemaNames.renamed(sql, "pg_temp_3", "pg_temp_7"));
    }

    @Test
    void onlyRealNamesOfTemporarySchemasAreRenamed() {
        assertThrows(IllegalArgumentException.class, () -> SessionSchemaNames.renamed("x", "public", "pg_temp_1"));
        assertThrows(IllegalArgumentException.class,
                () -> SessionSchemaNames.renamed("x", "pg_toast_temp_1", "pg_temp_2"));
    }
}
