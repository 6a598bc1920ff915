package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Phase canary: reads outside transactions go to the target (here all of them), while a session whose writes wait in
 * the replay queue reads them back from the source (issue 4's read-your-writes), until the queue has drained.
 *
 * <p>A row written straight to the target only (behind the proxy's back) shows which database answered a read.
 */
@QuarkusTest
@TestProfile(CanaryProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class CanaryReadsTest {
    private static final String DATABASE = "dw_canary";
    private static final String ON_TARGET_ONLY = "insert into notes values (0, 'only on the target')";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreateWithDurableCommits(DATABASE);
    }

    @BeforeEach
    void notesTable() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists notes");
        DualWriteDatabases.onBoth(DATABASE, "create table notes (id int primary key, body text)");
        try (Connection target = DualWriteDatabases.target(DATABASE).openJdbc();
                Statement statement = target.createStatement()) {
            statement.execute(ON_TARGET_ONLY);
        }
    }

    @AfterEach
    void everythingBackToNormal() throws Exception {
        TestDatabases.startTarget();
        migration.changeCanaryPercent(100);
        CatchUpDrain.await(Duration.ofSeconds(60));
    }

    @Test
    void readsOutsideTransactionsGoToTheTargetAndReadsInsideThemToTheSource() throws Exception {
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE))) {
            awaitTargetAnswering(client);
            assertEquals(1, countPrepared(client), "an extended-protocol read too");
            for (int i = 0; i < 6; i++) {
                // pgJDBC names the statement after a few runs: the target parses it before its first Bind there.
                assertEquals(1, countPrepared(client), "run " + i);
            }
            client.setAutoCommit(false);
            assertEquals(0, countSimple(client), "inside a transaction the source answers");
            client.commit();
            client.setAutoCommit(true);

            given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                    .body("{\"percent\": 0}").put("/exodus/migration/canary").then().statusCode(200)
                    .body("percent", equalTo(0.0f));
            assertEquals(0, countSimple(client), "0 %: the source answers again");
        }
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").then()
                .statusCode(200).body("phase", equalTo("canary")).body("canaryPercent", equalTo(0.0f));
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"percent\": 150}").put("/exodus/migration/canary").then().statusCode(400);
    }

    /** Issue 4: "a session that wrote while the target was down reads its own write back immediately". */
    @Test
    void aSessionThatWroteWhileTheTargetWasDownReadsItsOwnWriteUntilTheQueueHasDrained() throws Exception {
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            awaitTargetAnswering(client);
            TestDatabases.stopTargetImmediately();
            statement.execute("insert into notes values (1, 'written while the target was down')");
            assertEquals(1, countSimple(client), "the session's write, read back from the source");
            // Another proxy "replays" this database (holds its replay lock) until released, so the queue cannot
            // drain before the reads below, however fast the target comes back.
            try (CatchUpLockHolder otherProxy = CatchUpLockHolder.take(DATABASE)) {
                TestDatabases.startTarget();
                // The target is back, the write still queued: reads stay on the source.
                assertEquals(1, countSimple(client), "read your writes while the queue has entries");
                try (ResultSet row = statement.executeQuery("select body from notes where id = 1")) {
                    row.next();
                    assertEquals("written while the target was down", row.getString(1));
                }
            }

            CatchUpDrain.await(Duration.ofSeconds(60));
            // The session reconnects its target at most every DualWriteProfile.SECONDARY_RECONNECT; then the target
            // answers again (its extra row).
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (countSimple(client) != 2) {
                assertTrue(System.nanoTime() < deadline, "the target did not answer reads again after the drain");
                Thread.sleep(250);
            }
        }
    }

    /**
     * A new session's first reads may go to the source: a read goes to the target only when its connection there is
     * idle, and pgJDBC's opening SET may still be running there (under load it is, for a moment).
     */
    private static void awaitTargetAnswering(Connection client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (countSimple(client) != 1) {
            assertTrue(System.nanoTime() < deadline, "the target never answered a read");
            Thread.sleep(50);
        }
    }

    private static long countSimple(Connection client) throws SQLException {
        try (Statement statement = client.createStatement();
                ResultSet count = statement.executeQuery("select count(*) from notes")) {
            count.next();
            return count.getLong(1);
        }
    }

    private static long countPrepared(Connection client) throws SQLException {
        try (PreparedStatement statement = client.prepareStatement("select count(*) from notes where id >= ?")) {
            statement.setInt(1, 0);
            try (ResultSet count = statement.executeQuery()) {
                count.next();
                return count.getLong(1);
            }
        }
    }
}
