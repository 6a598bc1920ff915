package io.exodus.proxy.control;

import io.exodus.proxy.dualwrite.DualWriteDatabases;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica whose lease expires between two heartbeats, as it does when a GC pause or a starved CPU delays them, serves
 * every write: each request that finds the lease expired waits for a heartbeat sent at once, and goes on once it
 * confirms the fleet's state (docs/adr/0032, "Confirmation on demand"). In phase direct, whose relay streams requests
 * unread, and in phase dual-write, which plans them.
 */
@QuarkusTest
@TestProfile(ShortLeaseProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class ExpiredLeaseConfirmedOnDemandTest {
    private static final int WRITES = 8;
    /** Longer than stale-after (300 ms), shorter than the heartbeat interval (1 s): most writes find the lease expired. */
    private static final long IDLE_MILLIS = 400;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    ControlPlane control;

    @Test
    void everyWriteAfterTheLeaseExpiredIsServedInPhaseDirectAndInDualWrite() throws Exception {
        String database = "lease_on_demand";
        DualWriteDatabases.recreate(database);
        DualWriteDatabases.onBoth(database, "create table items (id int primary key, phase text)");
        int expired = 0;
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                PreparedStatement insert = client.prepareStatement("insert into items values (?, ?)")) {
            expired += writes(insert, 0, "direct");
            changePhase("dual-write");
            expired += writes(insert, WRITES, "dual-write");
        } finally {
            changePhase("direct");
        }
        assertTrue(expired > 0, "no write found the lease expired: the test did not test anything");
        try (Connection source = DualWriteDatabases.open(DualWriteDatabases.source(database));
                Statement statement = source.createStatement();
                ResultSet rows = statement.executeQuery("select count(*) from items")) {
            rows.next();
            assertEquals(2 * WRITES, rows.getInt(1));
        }
    }

    /** @return how many of the writes found the lease expired */
    private int writes(PreparedStatement insert, int from, String phase) throws Exception {
        int expired = 0;
        for (int i = from; i < from + WRITES; i++) {
            Thread.sleep(IDLE_MILLIS);
            if (control.stale()) {
                expired++;
            }
            insert.setInt(1, i);
            insert.setString(2, phase);
            assertEquals(1, insert.executeUpdate());
        }
        return expired;
    }

    private static void changePhase(String phase) {
        given().header("Authorization", "Bearer " + ShortLeaseProfile.TOKEN).contentType("application/json")
                .body("{\"phase\": \"" + phase + "\"}").put("/exodus/migration/phase").then().statusCode(200)
                .body("phase", equalTo(phase));
    }
}
