package io.exodus.proxy.sync;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.dualwrite.PhaseChangeProfile;
import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The contract end to end: {@code POST /exodus/migration/sync} on a proxy in phase direct while a client writes
 * through it; the status goes to done, the proxy to dual-write, the client's open session follows without an error,
 * and the synced schema is identical on both databases, rows written after the switch included.
 */
@QuarkusTest
@TestProfile(PhaseChangeProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class SyncThroughProxyTest {
    private static final String SCHEMA = "sync_e2e";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @AfterEach
    void directAgain() {
        migration.changePhase(MigrationPhase.DIRECT);
        migration.changeDatabases(MigrationDatabases.ALL);
    }

    @Test
    void syncStartedThroughTheApiEndsInDualWriteWithoutAGap() throws Exception {
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source());
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target());
        SyncedDatabases.execute(target, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        SyncedDatabases.execute(source, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE; CREATE SCHEMA " + SCHEMA + ";"
                + "CREATE TABLE " + SCHEMA + ".orders (id bigserial PRIMARY KEY, customer int, note text);"
                + "CREATE TABLE " + SCHEMA + ".accounts (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, balance int);"
                + "INSERT INTO " + SCHEMA + ".orders (customer, note) SELECT i, 'o' || i FROM generate_series(1, 20000) i;"
                + "INSERT INTO " + SCHEMA + ".accounts (balance) SELECT 0 FROM generate_series(1, 1000);");
        // The servers hold another database, "app", with a table the sync does not copy: identical until the sync.
        ConnectionTarget sourceApp = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(TestUsers.APP_DATABASE);
        ConnectionTarget targetApp = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(TestUsers.APP_DATABASE);
        for (ConnectionTarget side : new ConnectionTarget[] {sourceApp, targetApp}) {
            SyncedDatabases.execute(side, "DROP TABLE IF EXISTS sync_e2e_elsewhere;"
                    + "CREATE TABLE sync_e2e_elsewhere (id int PRIMARY KEY, note text)");
        }
        ConnectionTarget proxy = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                TestUsers.DEFAULT_DATABASE);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger transactions = new AtomicInteger();
        AtomicReference<Boolean> stop = new AtomicReference<>(false);
        Thread client = new Thread(() -> {
            try (Connection connection = proxy.openJdbc()) {
                connection.setAutoCommit(false);
                while (!stop.get()) {
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO " + SCHEMA + ".orders (customer, note) VALUES (?, 'through the proxy')");
                            PreparedStatement update = connection.prepareStatement(
                                    "UPDATE " + SCHEMA + ".accounts SET balance = balance + 1 WHERE id = ?")) {
                        insert.setInt(1, transactions.get());
                        insert.executeUpdate();
                        update.setInt(1, ThreadLocalRandom.current().nextInt(1, 1000));
                        update.executeUpdate();
                    }
                    connection.commit();
                    transactions.incrementAndGet();
                    Thread.sleep(2);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        client.start();
        try {
            given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                    .body("{\"schemas\": [\"" + SCHEMA + "\"]}").post("/exodus/migration/sync").then().statusCode(202);
            String state = "checking";
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!state.equals("done") && !state.equals("failed") && System.nanoTime() < deadline) {
                Thread.sleep(200);
                state = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration")
                        .path("sync.state");
            }
            String error = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                    .get("/exodus/migration").path("sync.error");
            assertEquals("done", state, error);
            assertEquals("dual-write", given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                    .get("/exodus/migration").path("phase"));
            String metrics = given().get("/q/metrics").asString();
            assertTrue(metrics.contains("exodus_sync_state{") && metrics.matches(
                    "(?s).*exodus_sync_rows_copied\\{[^}]*\\} (2[1-9]|[3-9][0-9])[0-9]{3}\\.0.*"), metrics);
            int atSwitch = transactions.get();
            while (transactions.get() < atSwitch + 100 && failure.get() == null) {
                Thread.sleep(20);
            }
        } finally {
            stop.set(true);
            client.join(30_000);
        }
        assertNull(failure.get(), () -> "the client saw " + failure.get());
        // The sync moved its own database only: a session on "app" stays on the source, whose rows it alone has.
        assertEquals(List.of(TestUsers.DEFAULT_DATABASE), given().header("Authorization", "Bearer "
                + DualWriteProfile.TOKEN).get("/exodus/migration").path("databases.names"));
        ConnectionTarget proxyApp = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                TestUsers.APP_DATABASE);
        SyncedDatabases.execute(proxyApp, "INSERT INTO sync_e2e_elsewhere VALUES (1, 'through the proxy')");
        assertEquals(1, SyncedDatabases.number(sourceApp, "SELECT count(*) FROM sync_e2e_elsewhere"));
        assertEquals(0, SyncedDatabases.number(targetApp, "SELECT count(*) FROM sync_e2e_elsewhere"),
                "a database the sync did not copy is not written on the target");
        TableComparison.assertIdentical(source, target, SCHEMA + ".orders", SCHEMA + ".accounts");
        assertTrue(SyncedDatabases.number(target, "SELECT last_value FROM " + SCHEMA + ".orders_id_seq")
                > SyncedDatabases.number(source, "SELECT last_value FROM " + SCHEMA + ".orders_id_seq"));
    }
}
