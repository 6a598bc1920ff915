package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CREATE TABLE … AS taken apart into the empty table and the INSERT that fills it. */
class CreateTableAsTest {

    @Test
    void theRegressionSuitesRandomTable() {
        CreateTableAs ctas = CreateTableAs.parse("CREATE TABLE RANDOM_TBL AS\n  SELECT count(*) AS random\n"
                + "  FROM onek WHERE random() < 1.0/10;").orElseThrow();
        assertEquals("RANDOM_TBL", ctas.table());
        assertEquals("CREATE TABLE RANDOM_TBL AS\n  SELECT count(*) AS random\n  FROM onek WHERE random() < 1.0/10"
                + " WITH NO DATA", ctas.withNoData());
        assertEquals("INSERT INTO RANDOM_TBL SELECT count(*) AS random\n  FROM onek WHERE random() < 1.0/10",
                ctas.insert());
    }

    @Test
    void optionsColumnsAndWithDataAreKept() {
        CreateTableAs ctas = CreateTableAs.parse("create unlogged table s.\"T\" (a, b) with (fillfactor = 70) "
                + "as values (1, now()) with data").orElseThrow();
        assertEquals("create unlogged table s.\"T\" (a, b) with (fillfactor = 70) as values (1, now()) WITH NO DATA",
                ctas.withNoData());
        assertEquals("INSERT INTO s.\"T\" values (1, now())", ctas.insert());
    }

    @Test
    void aQueryInParenthesesIsNoColumnList() {
        CreateTableAs ctas = CreateTableAs.parse("CREATE TEMP TABLE t AS (SELECT random() AS r)").orElseThrow();
        assertEquals("INSERT INTO t SELECT * FROM (SELECT random() AS r) AS exodus_query", ctas.insert());
    }

    @Test
    void whatCannotBeTakenApartIsLeftAsItIs() {
        assertTrue(CreateTableAs.parse("CREATE TABLE IF NOT EXISTS t AS SELECT random()").isEmpty());
        assertTrue(CreateTableAs.parse("CREATE TABLE t AS EXECUTE q(1)").isEmpty());
        assertTrue(CreateTableAs.parse("CREATE TABLE t AS SELECT random() WITH NO DATA").isEmpty());
        assertTrue(CreateTableAs.parse("CREATE TABLE t (a int)").isEmpty());
        assertTrue(CreateTableAs.parse("CREATE MATERIALIZED VIEW m AS SELECT random()").isEmpty());
        assertTrue(CreateTableAs.parse("CREATE TABLE t AS SELECT 1; SELECT 2").isEmpty());
        assertTrue(CreateTableAs.parse("SELECT random() INTO t").isEmpty());
    }

    @Test
    void aTableMadeWithNoDataDrawsNothing() {
        assertTrue(CreateTableAs.makesNoRows("CREATE TABLE t AS SELECT random() WITH NO DATA;"));
        assertTrue(!CreateTableAs.makesNoRows("CREATE TABLE t AS SELECT random()"));
        assertTrue(!CreateTableAs.makesNoRows("CREATE TABLE t AS SELECT random() WITH DATA"));
    }
}
