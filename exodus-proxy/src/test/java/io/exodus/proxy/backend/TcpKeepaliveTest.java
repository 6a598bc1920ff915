package io.exodus.proxy.backend;

import io.exodus.proxy.auth.BackendCredential;
import io.exodus.proxy.config.PostgresUrl;
import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.tls.BackendTls;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code exodus.tcp.keepalive-idle} on the sockets of a session, as the kernel sees them (their keepalive timer in
 * /proc/net/tcp): the client's, and the session's source and target connections. The operating system's own idle
 * time is two hours and the proxy's default 60 s, so a timer due within the 37 s {@link DualWriteProfile} configures
 * shows the setting took.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class TcpKeepaliveTest {
    private static final Duration IDLE = DualWriteProfile.KEEPALIVE_IDLE;
    private static final String APPLICATION = "keepalive-test";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Test
    void everySocketOfTheProxyProbesItsPeerAfterTheConfiguredSilence() throws Exception {
        ConnectionTarget proxy = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                TestUsers.DEFAULT_DATABASE);
        Properties properties = new Properties();
        properties.setProperty("ApplicationName", APPLICATION);
        try (Connection client = proxy.openJdbc(properties); Statement statement = client.createStatement()) {
            // A SET outside a transaction reaches the target at once: the session's target leg is open after it.
            statement.execute("set search_path = public");
            int source = TestDatabases.source().port();
            int target = TestDatabases.target().port();

            assertKeepalive("the client's connection", port, 0);
            assertKeepalive("the session's source connection", portOf(source, APPLICATION), source);
            assertKeepalive("the session's target connection", portOf(target, APPLICATION), target);
        }
    }

    /** Netty's epoll transport runs the proxy; Java's own NIO (where epoll is missing) takes another way to the socket. */
    @Test
    void aBackendConnectionOverJavaNioGetsTheTimingsToo() throws Exception {
        Vertx nio = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
        try {
            assertFalse(nio.isNativeTransportEnabled());
            PostgresUrl url = PostgresUrl.parse(TestDatabases.source().url(TestUsers.SUPERUSER,
                    TestUsers.SUPERUSER_PASSWORD, TestUsers.DEFAULT_DATABASE) + "?sslmode=disable");
            BackendConnector connector = new BackendConnector(nio.createNetClient(BackendTls.clientOptions(url,
                    Duration.ofSeconds(5))), new BackendEndpoint("source", url), 1 << 20,
                    new TcpKeepalive(IDLE, Duration.ofSeconds(10), 6));
            BackendConnection connection = OpenedSessions.open(nio, connector, new BackendLogin(url.user(),
                    url.database(), new BackendCredential.Password(url.password()), Map.of()));
            assertKeepalive("a backend connection over NIO", connection.socket().localAddress().port(),
                    TestDatabases.source().port());
            connection.socket().close();
        } finally {
            nio.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Right after traffic the retransmission timer may run until the peer's ACK; then keepalive's takes over. */
    private static void assertKeepalive(String which, int localPort, int remotePort) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Optional<KeepaliveTimers.Timer> timer = KeepaliveTimers.of(localPort, remotePort);
        while (timer.isPresent() && !timer.get().keepalive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            timer = KeepaliveTimers.of(localPort, remotePort);
        }
        assertTrue(timer.isPresent(), which + " (port " + localPort + ") is not established");
        assertTrue(timer.get().keepalive(), which + ": no keepalive timer, " + timer.get());
        assertTrue(timer.get().due().compareTo(IDLE) <= 0, which + ": the next probe is due in " + timer.get().due()
                + ", later than the configured " + IDLE);
    }

    /** The proxy's side of its connection to a server: the client port the server sees, by application_name. */
    private static int portOf(int serverPort, String application) throws SQLException, InterruptedException {
        ConnectionTarget server = ConnectionTarget.local(serverPort, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                TestUsers.DEFAULT_DATABASE);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (Connection connection = server.openJdbc(); PreparedStatement query = connection.prepareStatement(
                "select client_port from pg_stat_activity where application_name = ? and client_port > 0 limit 1")) {
            query.setString(1, application);
            while (System.nanoTime() < deadline) {
                try (ResultSet row = query.executeQuery()) {
                    if (row.next()) {
                        return row.getInt(1);
                    }
                }
                Thread.sleep(100);
            }
        }
        return fail("no connection of " + application + " on the server at port " + serverPort);
    }
}
