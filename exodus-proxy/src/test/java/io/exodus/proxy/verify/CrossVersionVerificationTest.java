package io.exodus.proxy.verify;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The canonical row text is the same on PostgreSQL 13 and 17: the same values (numeric, floats with their edge cases,
 * timestamptz, intervals, jsonb, arrays, bytea, money, text keys in a non-C collation, ICU's en-US) verify identical
 * from a 13 source to a 17 target, and a changed row is still found by its text key through bisection.
 */
@QuarkusTest
@TestProfile(CrossVersionVerificationProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class CrossVersionVerificationTest {
    private static final String DATABASE = "verify_cross_version";

    @BeforeAll
    static void createTheSameRowsOnBothVersions() throws SQLException {
        for (LocalPostgres server : List.of(CrossVersionVerificationProfile.olderSource(),
                CrossVersionVerificationProfile.newerTarget())) {
            try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                    Statement statement = connection.createStatement()) {
                statement.execute("drop database if exists " + DATABASE + " with (force)");
                statement.execute("create database " + DATABASE);
            }
            try (Connection connection = ConnectionTarget.superuser(server).withDatabase(DATABASE).openJdbc();
                    Statement statement = connection.createStatement()) {
                statement.execute("create table typed (k text collate \"en-US-x-icu\" primary key, amount numeric, f4 real, f8 float8, "
                        + "at timestamptz, span interval, doc jsonb, tags text[], nums int[], raw bytea, price money, "
                        + "flag boolean, day date)");
                statement.execute("insert into typed select 'Key ' || g || case g % 3 when 0 then ' é' when 1 "
                        + "then ' Z' else ' a' end, g * 1.0001, g / 3.0::real, g / 7.0::float8, timestamptz "
                        + "'2020-02-29 12:34:56.789+02' + g * interval '37 minutes', g * interval '1 day 3 hours', "
                        + "jsonb_build_object('g', g, 'half', g / 2.0, 'list', jsonb_build_array(g, 'x', null)), "
                        + "array['a' || g, null, 'quote\"d'], array[g, -g], decode(md5(g::text), 'hex'), "
                        + "(g * 0.01)::numeric::money, g % 2 = 0, date '2024-02-29' + g from generate_series(1, 20000) g");
                statement.execute("insert into typed (k, f4, f8, amount) values ('edge nan', 'NaN', 'NaN', 'NaN'), "
                        + "('edge inf', 'Infinity', '-Infinity', 0), ('edge zero', '-0', '-0', -0.000), "
                        + "('edge tiny', 1e-38, 1e-300, 1e-100), ('edge point one', 0.1, 0.1, 0.1)");
                statement.execute("create table changed (k text collate \"en-US-x-icu\" primary key, v int)");
                statement.execute("insert into changed select 'row ' || g, g from generate_series(1, 20000) g");
            }
        }
        try (Connection connection = ConnectionTarget.superuser(CrossVersionVerificationProfile.newerTarget())
                .withDatabase(DATABASE).openJdbc(); Statement statement = connection.createStatement()) {
            statement.execute("update changed set v = -1 where k = 'row 17171'");
        }
    }

    @Test
    void theSameValuesVerifyIdenticalFromThirteenToSeventeen() throws Exception {
        JsonPath report = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"typed\", "
                + "\"changed\"]}");
        assertEquals("done", report.getString("state"), report.prettify());
        assertEquals("public.typed", report.getString("tables[0].table"));
        assertEquals(20_005L, report.getLong("tables[0].rowsChecked"), report.prettify());
        assertEquals(0L, report.getLong("tables[0].different") + report.getLong("tables[0].missing")
                + report.getLong("tables[0].extra"), report.prettify());
        assertTrue(report.<Object>getList("tables[0].examples").isEmpty(), report.prettify());
        assertEquals("public.changed", report.getString("tables[1].table"));
        assertEquals(List.of(Map.of("kind", "different", "key", Map.of("k", "row 17171"))),
                report.getList("tables[1].examples"), report.prettify());
    }
}
