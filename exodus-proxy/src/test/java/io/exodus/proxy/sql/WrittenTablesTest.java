package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WrittenTablesTest {

    private static List<String> tables(String sql) {
        return List.copyOf(WrittenTables.in(sql));
    }

    @Test
    void targetsOfEachWritingStatement() {
        assertEquals(List.of("accounts"), tables("UPDATE accounts SET balance = balance - 1 WHERE id = 1"));
        assertEquals(List.of("shop.orders"), tables("insert into Shop.Orders (id) values (1)"));
        assertEquals(List.of("items"), tables("DELETE FROM ONLY items WHERE id = $1"));
        assertEquals(List.of("a", "b.c"), tables("TRUNCATE TABLE a, b.c RESTART IDENTITY"));
        assertEquals(List.of("target"), tables("MERGE INTO target t USING source s ON t.id = s.id WHEN MATCHED THEN "
                + "UPDATE SET v = s.v"));
        assertEquals(List.of("Mixed Case"), tables("update \"Mixed Case\" set x = 1"));
    }

    @Test
    void writingCtesAndSeveralStatements() {
        assertEquals(List.of("queue", "archive"),
                tables("WITH moved AS (DELETE FROM queue RETURNING *) INSERT INTO archive SELECT * FROM moved"));
        assertEquals(List.of("a", "b"), tables("update a set x = 1; insert into b values (2)"));
    }

    @Test
    void lockingClausesAndUpsertsNameNoExtraTable() {
        assertEquals(List.of(), tables("SELECT * FROM accounts WHERE id = 1 FOR UPDATE"));
        assertEquals(List.of(), tables("SELECT * FROM accounts FOR NO KEY UPDATE"));
        assertEquals(List.of("counters"), tables("INSERT INTO counters VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = "
                + "counters.n + 1"));
        assertEquals(List.of(), tables("select 'update t set x = 1' -- delete from u"));
    }
}
