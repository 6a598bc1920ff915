package io.exodus.proxy.verify;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tables without a primary key but with a unique key on NOT NULL columns are verified and repaired by that key, as
 * PostgreSQL would take it for a replica identity; a unique key on a nullable column, a partial one, or one the target
 * lacks is no key, and those tables are compared as multisets.
 */
@QuarkusTest
@TestProfile(VerificationProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class UniqueKeyVerificationTest {
    private static final String DATABASE = "verify_unique";
    private static VerifiedDatabase database;

    @BeforeAll
    static void createTables() throws SQLException {
        database = VerifiedDatabase.createdAfresh(DATABASE);
        database.onBoth(
                // The key's columns in another order than the table's, a nullable unique column beside it, and a
                // unique index with INCLUDE: the key is (team, email), the fewest columns of the usable ones.
                "create table members (note text, email text not null, team int not null, badge int unique, "
                        + "serial_no int not null)",
                "create unique index members_team_email on members (team, email)",
                "create unique index members_wide on members (team, email, serial_no) include (note)",
                "insert into members select 'note ' || g, 'm' || g || '@example.com', g % 40, g, g "
                        + "from generate_series(1, 20000) g",
                "create table loose (code text unique, v int)",
                "insert into loose select 'c' || g, g from generate_series(1, 3000) g",
                "create table rekeyed (code text not null unique, v int)",
                "insert into rekeyed select 'c' || g, g from generate_series(1, 1000) g",
                "create table partial (code text not null, v int)",
                "create unique index partial_code on partial (code) where v > 0",
                "insert into partial select 'c' || g, g from generate_series(1, 3000) g");
        // Unique on the source only: nothing says the target holds each code once.
        run(database.source(), "create table one_sided (code text not null unique, v int)");
        run(database.target(), "create table one_sided (code text not null, v int)");
        database.onBoth("insert into one_sided select 'c' || g, g from generate_series(1, 3000) g");
        // Behind Exodus' back, on the target only.
        run(database.target(), "update members set note = 'changed' where team = 7 and email = 'm4007@example.com'");
        run(database.target(), "delete from members where team = 25 and email = 'm12345@example.com'");
        run(database.target(), "insert into members values ('only here', 'new@example.com', 3, null, 0)");
        run(database.target(), "update rekeyed set v = -1 where code = 'c7'");
        run(database.target(), "insert into loose values (null, 1)");
        run(database.target(), "insert into partial values ('c1', -1)");
        run(database.target(), "insert into one_sided values ('c1', 1)");
    }

    @Test
    void rowsAreFoundAndRepairedByAUniqueKeyOnNotNullColumns() throws Exception {
        JsonPath verified = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"members\"]}");
        assertEquals("done", verified.getString("state"), verified.prettify());
        assertEquals("unique-key", verified.getString("tables[0].comparedBy"), verified.prettify());
        assertEquals(List.of("team", "email"), verified.getList("tables[0].key"));
        assertEquals(20_000L, verified.getLong("tables[0].sourceRows"));
        assertEquals(20_000L, verified.getLong("tables[0].rowsChecked"));
        assertEquals(Set.of(
                Map.of("kind", "different", "key", Map.of("team", "7", "email", "m4007@example.com")),
                Map.of("kind", "missing", "key", Map.of("team", "25", "email", "m12345@example.com")),
                Map.of("kind", "extra", "key", Map.of("team", "3", "email", "new@example.com"))),
                Set.copyOf(verified.getList("tables[0].examples")), verified.prettify());

        JsonPath repaired = given().header("Authorization", VerificationApi.BEARER)
                .body("{\"tables\": [\"members\"]}").post("/exodus/migration/repair").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("done", repaired.getString("tables[0].state"), repaired.prettify());
        assertEquals(Set.of(
                Map.of("change", "updated", "key", Map.of("team", "7", "email", "m4007@example.com")),
                Map.of("change", "inserted", "key", Map.of("team", "25", "email", "m12345@example.com")),
                Map.of("change", "deleted", "key", Map.of("team", "3", "email", "new@example.com"))),
                Set.copyOf(repaired.getList("tables[0].rows")), repaired.prettify());
        assertEquals("note 4007", VerifiedDatabase.value(database.target(),
                "select note from members where team = 7 and email = 'm4007@example.com'"));

        JsonPath again = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"members\"]}");
        assertTrue(again.getBoolean("identical"), again.prettify());
    }

    @Test
    void aUniqueKeyThatIsNullablePartialOrOnOneSideOnlyIsNoKey() throws Exception {
        JsonPath verified = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"loose\", "
                + "\"partial\", \"one_sided\"]}");
        assertEquals("done", verified.getString("state"), verified.prettify());
        assertFalse(verified.getBoolean("identical"));
        for (int table = 0; table < 3; table++) {
            String at = "tables[" + table + "]";
            assertEquals("whole-row", verified.getString(at + ".comparedBy"), verified.prettify());
            assertEquals(List.of(), verified.getList(at + ".key"));
            assertEquals(0, verified.getLong(at + ".missing"), verified.prettify());
            assertEquals(1, verified.getLong(at + ".extra"), verified.prettify());
            assertNull(verified.get(at + ".examples[0].key"), verified.prettify());
        }
        // A second copy of a row: matched by code, it would have hidden behind the first.
        assertEquals(List.of(1, 2), List.of(((Number) verified.get("tables[2].examples[0].sourceCount")).intValue(),
                ((Number) verified.get("tables[2].examples[0].targetCount")).intValue()), verified.prettify());
    }

    @Test
    void aRepairRefusesATableWhoseKeyChangedSinceItWasVerified() throws Exception {
        JsonPath verified = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"rekeyed\"]}");
        assertEquals(List.of(Map.of("kind", "different", "key", Map.of("code", "c7"))),
                verified.getList("tables[0].examples"), verified.prettify());
        run(database.source(), "alter table rekeyed drop constraint rekeyed_code_key");

        JsonPath repaired = given().header("Authorization", VerificationApi.BEARER)
                .body("{\"tables\": [\"rekeyed\"]}").post("/exodus/migration/repair").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("failed", repaired.getString("tables[0].state"), repaired.prettify());
        assertTrue(repaired.getString("tables[0].error").startsWith("the table's key changed since it was verified "
                + "(rows were matched by [code], now by [])"), repaired.prettify());
        assertEquals("-1", VerifiedDatabase.value(database.target(), "select v from rekeyed where code = 'c7'"),
                "nothing changed");
    }

    private static void run(ConnectionTarget on, String sql) throws SQLException {
        VerifiedDatabase.run(on, sql);
    }
}
