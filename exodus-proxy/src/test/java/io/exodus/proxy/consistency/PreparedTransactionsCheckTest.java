package io.exodus.proxy.consistency;

import io.exodus.proxy.backend.ControlConnections;

import static io.exodus.proxy.consistency.TwoPhaseServers.await;
import static io.exodus.proxy.consistency.TwoPhaseServers.endpoint;
import static io.exodus.proxy.consistency.TwoPhaseServers.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.localpg.LocalPostgres;
import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.vertx.core.Vertx;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PreparedTransactionsCheckTest {

    private static Vertx vertx;
    private static ControlConnections connections;
    private static LocalPostgres withoutPreparedTransactions;

    @BeforeAll
    static void startAServerWithoutPreparedTransactions() {
        withoutPreparedTransactions = LocalPostgres.builder()
                .name("no-prepared-transactions")
                .superuser(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD)
                .setting("max_prepared_transactions", "0")
                .tradeDurabilityForSpeed()
                .start();
        vertx = Vertx.vertx();
        connections = new ControlConnections(vertx);
    }

    @AfterAll
    static void stopIt() throws Exception {
        if (connections != null) {
            await(connections.closeAll());
        }
        if (vertx != null) {
            await(vertx.close());
        }
        if (withoutPreparedTransactions != null) {
            withoutPreparedTransactions.close();
        }
    }

    @Test
    void serversThatAllowPreparedTransactionsPass() throws Exception {
        BackendEndpoint source = endpoint("source", TestDatabases.source(), TestUsers.DEFAULT_DATABASE);
        BackendEndpoint target = endpoint("target", TestDatabases.target(), TestUsers.DEFAULT_DATABASE);

        await(new PreparedTransactionsCheck(connections).verify(List.of(source, target)));
    }

    @Test
    void aServerWithoutPreparedTransactionsIsRefusedWithWhatToChange() throws Exception {
        BackendEndpoint source = endpoint("source", TestDatabases.source(), TestUsers.DEFAULT_DATABASE);
        BackendEndpoint target = endpoint("target", withoutPreparedTransactions, TestUsers.DEFAULT_DATABASE);

        Throwable failure = failureOf(new PreparedTransactionsCheck(connections).verify(List.of(source, target)));

        assertInstanceOf(IllegalStateException.class, failure);
        String message = failure.getMessage();
        assertTrue(message.startsWith("The two-phase-commit policy needs max_prepared_transactions > 0 on the target"
                + " (127.0.0.1:" + withoutPreparedTransactions.port() + "), which has 0. Set max_prepared_transactions"
                + " in postgresql.conf"), message);
        assertTrue(message.contains("exodus.migration.policy"), message);
        assertTrue(message.contains("parameter group"), message);
        assertTrue(!message.contains("source"), "the source allows them: " + message);
    }

    @Test
    void bothServersWithoutPreparedTransactionsAreNamedInOneMessage() throws Exception {
        BackendEndpoint source = endpoint("source", withoutPreparedTransactions, TestUsers.DEFAULT_DATABASE);
        BackendEndpoint target = endpoint("target", withoutPreparedTransactions, TestUsers.DEFAULT_DATABASE);

        String message = failureOf(new PreparedTransactionsCheck(connections).verify(List.of(source, target)))
                .getMessage();

        assertTrue(message.contains("on the source (127.0.0.1:" + withoutPreparedTransactions.port()
                + "), which has 0, and on the target"), message);
        assertTrue(message.contains("restart them"), message);
    }

    @Test
    void anUnreachableServerFailsTheCheckWithItsName() throws Exception {
        BackendEndpoint target = new BackendEndpoint("target",
                io.exodus.proxy.config.PostgresUrl.parse("postgresql://postgres:postgres@127.0.0.1:1/postgres"));

        String message = failureOf(new PreparedTransactionsCheck(connections).verify(target)).getMessage();

        assertEquals(0, message.indexOf("Could not read max_prepared_transactions on the target (127.0.0.1:1)"),
                message);
    }
}
