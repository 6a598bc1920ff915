package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PickedRowsTest {

    /** What decides the rows a statement picks besides the rows: locks others hold, physical order, chance. */
    @Test
    void whatMakesTheRowsAStatementPicksDifferBetweenDatabasesIsFound() {
        assertEquals("FOR UPDATE SKIP LOCKED", PickedRows.choice("update jobs set state = 'running' "
                + "where id = (select id from jobs where state = 'queued' order by id for update skip locked)"));
        assertEquals("LIMIT", PickedRows.choice("delete from t where id in (select id from t limit 10)"));
        assertEquals("OFFSET", PickedRows.choice("delete from t where id = (select id from t offset 3)"));
        assertEquals("FETCH FIRST", PickedRows.choice(
                "update t set n = 1 where id = (select id from t fetch next 1 rows only)"));
        assertEquals("TABLESAMPLE", PickedRows.choice(
                "delete from t where id in (select id from t tablesample system (1))"));
        assertEquals("ctid", PickedRows.choice("delete from t where t.ctid = '(0,1)'"));
        assertNull(PickedRows.choice("update t set note = 'limit' where id = 1"));
        assertNull(PickedRows.choice("update t set \"limit\" = 2 where id = 1"));
        assertNull(PickedRows.choice("delete from t where expired and locked"));
        assertEquals("string_agg() without ORDER BY", PickedRows.choice(
                "update posts set tags = (select string_agg(name, ',') from tags where post = posts.id)"));
        assertEquals("xmlagg() without ORDER BY", PickedRows.choice("update t set x = (select xmlagg(x) from u)"));
        assertEquals("array_agg() without ORDER BY", PickedRows.choice(
                "update p set ids = (select array_agg(c.id) from c where c.p = p.id)"));
        assertNull(PickedRows.choice(
                "update posts set tags = (select string_agg(name, ',' order by name) from tags where post = p.id)"));
        assertNull(PickedRows.choice("update t set n = (select count(*) from u where u.t = t.id)"));
    }

    /** An UPDATE or DELETE that reads rows it does not change sees them as they are when it runs. */
    @Test
    void anUpdateOrDeleteThatReadsOtherRowsIsFound() {
        assertEquals("a subquery", PickedRows.readsOtherRows(
                "update orders set total = (select sum(amount) from items where order_id = orders.id) where id = 1"));
        assertEquals("a subquery", PickedRows.readsOtherRows(
                "delete from orders where exists (select 1 from items where order_id = orders.id)"));
        assertEquals("UPDATE … FROM", PickedRows.readsOtherRows(
                "update t set n = u.n from u where u.id = t.id"));
        assertEquals("DELETE … USING", PickedRows.readsOtherRows(
                "delete from t using u where u.id = t.id"));
        assertNull(PickedRows.readsOtherRows("update t set n = n + 1 where id = 1"));
        assertNull(PickedRows.readsOtherRows("update t set n = extract(epoch from at) where id = 1"));
        assertNull(PickedRows.readsOtherRows("update t set n = 1 where m is distinct from 2"));
        assertNull(PickedRows.readsOtherRows("delete from t where id = 3"));
        assertNull(PickedRows.readsOtherRows("insert into t select * from u"));
        assertNull(PickedRows.readsOtherRows("select * from t for update"));
        assertEquals("MERGE … USING", PickedRows.readsOtherRows("merge into totals t using (select k, "
                + "sum(n) s from items group by k) i on t.k = i.k when matched then update set s = i.s"));
    }

    /** The catalog's rows are each server's own: the target finds its own with the statement's text. */
    @Test
    void aWriteToTheSystemCatalogIsToldApart() {
        assertTrue(PickedRows.changesCatalog("delete from pg_depend where objid = (select oid from "
                + "pg_rewrite where rulename = '_RETURN') returning *"));
        assertTrue(PickedRows.changesCatalog("update pg_catalog.pg_class set relhasindex = false"));
        assertTrue(PickedRows.changesCatalog("UPDATE ONLY \"pg_attribute\" SET attnotnull = true"));
        assertFalse(PickedRows.changesCatalog("delete from app.pg_notes where id in (select 1)"));
        assertFalse(PickedRows.changesCatalog("update orders set total = 1 where id = 1"));
        assertFalse(PickedRows.changesCatalog("select * from pg_class"));
    }

    /** An INSERT … SELECT reads other rows; a VALUES list does not. */
    @Test
    void aSelectOfTheStatementsOwnIsFound() {
        assertTrue(PickedRows.selects("insert into t select * from u"));
        assertTrue(PickedRows.selects("insert into t values ((select max(n) from u))"));
        assertFalse(PickedRows.selects("insert into t values (1, 'select')"));
    }

    /** A DO block runs its code on the target later: one that reads tables reads them as they are then. */
    @Test
    void aDoBlockThatReadsTablesReadsOtherRows() {
        assertEquals("a DO block that reads tables (rows as they are when it runs)", PickedRows.why(
                "do $$ begin insert into totals select sum(n) from items; end $$"));
        assertEquals("a DO block that reads tables", PickedRows.readsOtherRows(
                "DO LANGUAGE plpgsql $body$ BEGIN PERFORM close_month(); END $body$"));
        assertNull(PickedRows.why("do $$ begin insert into log values (1); end $$"));
        assertNull(PickedRows.why("do 'begin update t set n = n + 1 where id = 1; end'"));
    }
}
