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
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After the cutover the target is authoritative: rows changed, added and removed on the source behind Exodus' back
 * are put back as the target holds them, and the target is not written.
 */
@QuarkusTest
@TestProfile(CutoverRepairProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class RepairAfterCutoverTest {
    private static final String DATABASE = "verify_repair_cutover";
    private static VerifiedDatabase database;
    private static final String BODY = "{\"database\": \"" + DATABASE + "\", \"tables\": [\"kept\"]}";

    @BeforeAll
    static void createTables() throws SQLException {
        database = VerifiedDatabase.createdAfresh(DATABASE);
        database.onBoth("create table kept (id int primary key, v text)",
                "insert into kept select g, 'value ' || g from generate_series(1, 3000) g");
        run(source(), "update kept set v = 'changed on the source' where id = 100");
        run(source(), "delete from kept where id = 200");
        run(source(), "insert into kept values (5000, 'only on the source')");
    }

    @Test
    void theSourceIsRepairedFromTheTarget() throws Exception {
        JsonPath verified = VerificationApi.verify(BODY);
        assertEquals("done", verified.getString("state"), verified.prettify());
        // Seen from the source, as always: missing on the target, extra on it.
        assertEquals(Set.of(Map.of("kind", "different", "key", Map.of("id", "100")),
                Map.of("kind", "missing", "key", Map.of("id", "5000")),
                Map.of("kind", "extra", "key", Map.of("id", "200"))),
                Set.copyOf(verified.getList("tables[0].examples")), verified.prettify());

        JsonPath repaired = given().header("Authorization", VerificationApi.BEARER).body("{\"tables\": [\"kept\"]}")
                .post("/exodus/migration/repair").then().statusCode(200).extract().jsonPath();
        assertEquals("target", repaired.getString("authoritative"), repaired.prettify());
        assertEquals("source", repaired.getString("repaired"));
        assertEquals(Set.of(Map.of("change", "updated", "key", Map.of("id", "100")),
                Map.of("change", "deleted", "key", Map.of("id", "5000")),
                Map.of("change", "inserted", "key", Map.of("id", "200"))),
                Set.copyOf(repaired.getList("tables[0].rows")), repaired.prettify());

        JsonPath again = VerificationApi.verify(BODY);
        assertTrue(again.getBoolean("identical"), again.prettify());
        assertEquals(3000L, again.getLong("tables[0].targetRows"), "the target was not written");
    }

    private static void run(ConnectionTarget on, String sql) throws SQLException {
        VerifiedDatabase.run(on, sql);
    }

    private static ConnectionTarget source() {
        return database.source();
    }
}
