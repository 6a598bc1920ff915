package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableFromRowsTest {

    /** Statements that fill what they make with other tables' rows, as they are when each database runs them. */
    @Test
    void statementsFillingATableFromOtherTablesAreFound() {
        assertTrue(TableFromRows.createsTableFromTables("create table snap as select * from orders"));
        assertTrue(TableFromRows.createsTableFromTables("CREATE TEMP TABLE snap (a, b) AS SELECT o.id, i.n FROM "
                + "orders o JOIN items i ON i.o = o.id"));
        assertTrue(TableFromRows.createsTableFromTables("create unlogged table snap as table orders"));
        assertTrue(TableFromRows.createsTableFromTables("create table snap as (select id from orders) with data"));
        assertEquals("SELECT … INTO over other tables (it reads their rows as they are when it runs)",
                TableFromRows.why("select * into snap from orders"));
        assertTrue(TableFromRows.why("create materialized view totals as select sum(n) from items")
                .startsWith("CREATE MATERIALIZED VIEW"));
        assertTrue(TableFromRows.why("refresh materialized view concurrently totals").startsWith("REFRESH"));
        assertFalse(TableFromRows.createsTableFromTables("refresh materialized view totals"));
    }

    /** Nothing read (no FROM), nothing filled (WITH NO DATA, a plain table), or the catalog, each server's own. */
    @Test
    void statementsThatReadNoTableOrOnlyTheCatalogAreLeftAlone() {
        assertNull(TableFromRows.why("create table t as select 1 as a, 'x' as b"));
        assertNull(TableFromRows.why("create table t as values (1), (2)"));
        assertNull(TableFromRows.why("create table t as select * from orders with no data"));
        assertNull(TableFromRows.why("refresh materialized view totals with no data"));
        assertNull(TableFromRows.why("create table t (id int, note text default 'from')"));
        assertNull(TableFromRows.why("create table t as execute fetch_orders"));
        assertNull(TableFromRows.why("create table t as select relname from pg_class"));
        assertNull(TableFromRows.why("create table t as select * from information_schema.columns"));
        assertNull(TableFromRows.why("select * from orders"));
        assertNull(TableFromRows.why("insert into t select * from orders"));
        assertNull(TableFromRows.why("create table a as select * from o; create table b as select * from o"));
    }

    /** Only a table the query reads decides whether it reads the catalog: a column or new table named pg_… does not. */
    @Test
    void onlyTheTablesAQueryReadsTellACatalogRead() {
        assertTrue(TableFromRows.createsTableFromTables("create table t as select id as pg_id from orders"));
        assertTrue(TableFromRows.createsTableFromTables("create table pg_copy as select * from orders"));
        assertTrue(TableFromRows.why("select a, pg_x into t from orders") != null);
        assertNull(TableFromRows.why("create table t as select * from orders o join pg_class c on c.oid = o.rel"));
        assertNull(TableFromRows.why("create table t as select * from orders, pg_catalog.pg_namespace n"));
        assertNull(TableFromRows.why("create table t as select * from only pg_depend"));
    }
}
