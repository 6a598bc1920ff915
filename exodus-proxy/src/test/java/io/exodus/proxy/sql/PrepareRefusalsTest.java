package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PrepareRefusalsTest {

    @Test
    void whatPostgresRefusesToPrepareIsFound() {
        assertEquals("it runs LISTEN", PrepareRefusals.in("LISTEN virtual"));
        assertEquals("it runs NOTIFY", PrepareRefusals.in("select 1; notify channel, 'x'"));
        assertEquals("it calls pg_notify()", PrepareRefusals.in("select pg_notify('c', 'payload')"));
        assertEquals("it calls pg_export_snapshot()", PrepareRefusals.in("SELECT pg_export_snapshot()"));
        assertEquals("it creates the temporary relation char_tbl",
                PrepareRefusals.in("CREATE TEMP TABLE char_tbl (f1 char)"));
        assertEquals("it creates the temporary relation v",
                PrepareRefusals.in("create or replace temp view v as select 1"));
        assertEquals("it creates the temporary relation s", PrepareRefusals.in("create local temp sequence s"));
        assertEquals("it creates the temporary relation t", PrepareRefusals.in("select 1 as a into temporary t"));
        assertEquals("it names a temporary object (pg_temp.…)", PrepareRefusals.in("insert into pg_temp.t values (1)"));
        assertEquals("it refreshes a materialized view concurrently (through a temporary table)",
                PrepareRefusals.in("REFRESH MATERIALIZED VIEW CONCURRENTLY mv"));
    }

    @Test
    void wordsThatOnlyLookLikeThemAreNot() {
        assertNull(PrepareRefusals.in("update users set notify_by_mail = true, template = 'listen'"));
        assertNull(PrepareRefusals.in("refresh materialized view mv; create index concurrently i on t (a)"));
        assertNull(PrepareRefusals.in("select 'create temp table x'"));
        assertNull(PrepareRefusals.in("insert into temperature values (1)"));
        assertNull(PrepareRefusals.in(null));
    }
}
