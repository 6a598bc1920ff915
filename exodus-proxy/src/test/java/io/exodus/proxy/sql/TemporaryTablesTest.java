package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemporaryTablesTest {

    @Test
    void everyWayOfCreatingATemporaryTableIsSeen() {
        assertEquals(Set.of("a"), TemporaryTables.createdIn("create temp table a (id int)"));
        assertEquals(Set.of("b"), TemporaryTables.createdIn("CREATE GLOBAL TEMPORARY TABLE IF NOT EXISTS B (id int)"));
        assertEquals(Set.of("c"), TemporaryTables.createdIn("create table pg_temp.c as select 1"));
        assertEquals(Set.of("d"), TemporaryTables.createdIn("select * into temp table d from t"));
        assertEquals(Set.of("e", "f"), TemporaryTables.createdIn(
                "create local temp table e (x int) on commit drop; select 1 into temporary f"));
        assertEquals(Set.of("point_tbl"), TemporaryTables.createdIn("CREATE TEMP TABLE point_tbl AS SELECT * FROM public.point_tbl"));
    }

    @Test
    void permanentTablesAreNot() {
        assertEquals(Set.of(), TemporaryTables.createdIn("create table a (id int)"));
        assertEquals(Set.of(), TemporaryTables.createdIn("create unlogged table a (id int)"));
        assertEquals(Set.of(), TemporaryTables.createdIn("create table public.a (id int); select 'create temp table x'"));
        assertEquals(Set.of(), TemporaryTables.createdIn("insert into t select * from temp"));
    }

    @Test
    void aWrittenNameMayMeanATemporaryTable() {
        assertTrue(TemporaryTables.names("point_tbl", Set.of("point_tbl")));
        assertTrue(TemporaryTables.names("pg_temp.anything", Set.of()));
        assertFalse(TemporaryTables.names("public.point_tbl", Set.of("point_tbl")));
        assertFalse(TemporaryTables.names("other", Set.of("point_tbl")));
    }
}
