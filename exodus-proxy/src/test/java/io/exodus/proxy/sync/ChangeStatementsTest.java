package io.exodus.proxy.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ChangeStatementsTest {
    private static final PgOutputMessage.Relation ACCOUNTS = new PgOutputMessage.Relation(7, "app", "Accounts",
            List.of("id", "owner", "balance"), List.of(true, false, false));
    private static final Map<Integer, PgOutputMessage.Relation> RELATIONS = Map.of(7, ACCOUNTS);

    private static PgOutputMessage.Tuple row(String... values) {
        return new PgOutputMessage.Tuple(Arrays.asList(values));
    }

    @Test
    void valuesAreUntypedLiteralsWithQuotesDoubledAndNullsKept() {
        ChangeStatements.Statement insert = ChangeStatements.of(
                new PgOutputMessage.Insert(7, row("1", "O'Brien \\ x", null)), RELATIONS, Map.of());
        assertEquals("INSERT INTO \"app\".\"Accounts\" (\"id\", \"owner\", \"balance\") OVERRIDING SYSTEM VALUE "
                + "VALUES ('1', 'O''Brien \\ x', NULL)", insert.sql());
    }

    @Test
    void anUpdateKeepingItsKeySetsNeitherTheKeyNorAnAlwaysIdentityNorUnchangedToast() {
        PgOutputMessage.Tuple newRow = new PgOutputMessage.Tuple(
                Arrays.asList("1", PgOutputMessage.Tuple.UNCHANGED, "10"));
        ChangeStatements.Statement update = ChangeStatements.of(new PgOutputMessage.Update(7, null, newRow),
                RELATIONS, Map.of("app.Accounts", Set.of("id")));
        assertEquals("UPDATE \"app\".\"Accounts\" SET \"balance\" = '10' WHERE ctid = (SELECT ctid FROM "
                + "\"app\".\"Accounts\" WHERE \"id\" = '1' LIMIT 1)", update.sql());
        assertEquals(true, update.mustTouchOneRow());
    }

    @Test
    void anUpdateOfTheKeyFindsTheRowByItsOldKey() {
        ChangeStatements.Statement update = ChangeStatements.of(
                new PgOutputMessage.Update(7, row("1", null, null), row("2", "x", "0")), RELATIONS, Map.of());
        assertEquals("UPDATE \"app\".\"Accounts\" SET \"id\" = '2', \"owner\" = 'x', \"balance\" = '0' WHERE ctid = "
                + "(SELECT ctid FROM \"app\".\"Accounts\" WHERE \"id\" = '1' LIMIT 1)", update.sql());
    }

    @Test
    void consecutiveInsertsIntoOneTableBecomeOneStatementInTheSameOrder() {
        PgOutputMessage.Relation other = new PgOutputMessage.Relation(8, "app", "log", List.of("t"), List.of(false));
        Map<Integer, PgOutputMessage.Relation> relations = Map.of(7, ACCOUNTS, 8, other);
        List<ChangeStatements.Statement> merged = SlotChanges.mergeInserts(List.of(
                ChangeStatements.of(new PgOutputMessage.Insert(7, row("1", "a", "0")), relations, Map.of()),
                ChangeStatements.of(new PgOutputMessage.Insert(7, row("2", "b", "0")), relations, Map.of()),
                ChangeStatements.of(new PgOutputMessage.Insert(8, row("x")), relations, Map.of()),
                ChangeStatements.of(new PgOutputMessage.Insert(7, row("3", "c", "0")), relations, Map.of())));
        assertEquals(3, merged.size());
        assertEquals("INSERT INTO \"app\".\"Accounts\" (\"id\", \"owner\", \"balance\") OVERRIDING SYSTEM VALUE "
                + "VALUES ('1', 'a', '0'), ('2', 'b', '0')", merged.get(0).sql());
        assertEquals("INSERT INTO \"app\".\"Accounts\" (\"id\", \"owner\", \"balance\") OVERRIDING SYSTEM VALUE "
                + "VALUES ('3', 'c', '0')", merged.get(2).sql());
    }

    @Test
    void sequencesGoAheadInTheirDirectionWithinTheirBounds() {
        assertEquals(10_100, SequenceAdvance.ahead(100, 1, 1, Long.MAX_VALUE, 10_000));
        assertEquals(-10_100, SequenceAdvance.ahead(-100, -1, Long.MIN_VALUE, -1, 10_000));
        assertEquals(32_767, SequenceAdvance.ahead(30_000, 1, 1, 32_767, 10_000));
        assertEquals(Long.MAX_VALUE, SequenceAdvance.ahead(Long.MAX_VALUE - 5, 1, 1, Long.MAX_VALUE, 10_000));
    }

    @Test
    void lsnsReadAndPrintAsPostgresWritesThem() {
        assertEquals("16/B374D848", Lsn.parse("16/B374D848").toString());
        assertEquals(0x16_B374D848L, Lsn.parse("16/B374D848").value());
    }
}
