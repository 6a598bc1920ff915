package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InsertValuesTest {

    @Test
    void theRowsOfAValuesListAreCounted() {
        assertEquals(1, InsertValues.rowCount("INSERT INTO measurement VALUES (1, '2006-02-10', 35, 10);"));
        assertEquals(2, InsertValues.rowCount("insert into t (a, b) values (1, (select max(x) from u)), (2, 'x') "
                + "on conflict do nothing returning *"));
        assertEquals(3, InsertValues.rowCount("insert into t overriding system value values ($1), ($2), (f($3, 4))"));
    }

    @Test
    void otherTextsAreNotCounted() {
        assertEquals(-1, InsertValues.rowCount("insert into t select * from u"));
        assertEquals(-1, InsertValues.rowCount("insert into t (a) select 1 from (values (1), (2)) v"));
        assertEquals(-1, InsertValues.rowCount("insert into t default values"));
        assertEquals(-1, InsertValues.rowCount("with v as (select 1) insert into t select * from v"));
        assertEquals(-1, InsertValues.rowCount("update t set a = 1"));
        assertEquals(-1, InsertValues.rowCount("insert into t values (1); insert into t values (2)"));
        assertEquals(-1, InsertValues.rowCount(null));
    }
}
