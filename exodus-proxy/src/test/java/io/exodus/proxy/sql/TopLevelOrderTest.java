package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopLevelOrderTest {

    @Test
    void anOrderByOutsideParenthesesOrdersTheRows() {
        assertTrue(TopLevelOrder.orders("select * from t order by id"));
        assertTrue(TopLevelOrder.orders("SELECT a FROM t UNION SELECT b FROM u ORDER BY 1 LIMIT 5"));
        assertTrue(TopLevelOrder.orders("with x as (select 1) select * from x order by 1"));
    }

    @Test
    void anOrderByInsideParenthesesOrdersSomethingElse() {
        assertFalse(TopLevelOrder.orders("select * from t"));
        assertFalse(TopLevelOrder.orders("select * from (select * from t order by id) s"));
        assertFalse(TopLevelOrder.orders("select row_number() over (order by id) from t"));
        assertFalse(TopLevelOrder.orders("select string_agg(name, ',' order by name) from t"));
        assertFalse(TopLevelOrder.orders("select 'order by' from t"));
        assertFalse(TopLevelOrder.orders("select \"order\" by_ from t"));
    }
}
