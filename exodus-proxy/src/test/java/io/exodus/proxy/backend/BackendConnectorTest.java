package io.exodus.proxy.backend;

import io.exodus.localpg.FreePort;
import io.exodus.proxy.auth.BackendCredential;
import io.exodus.proxy.auth.ScramClientKeys;
import io.exodus.proxy.config.PostgresUrl;
import io.exodus.proxy.tls.BackendTls;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a backend login fails, as the client will be told. */
class BackendConnectorTest {
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        // As the proxy runs: Netty's native transport, which Unix-domain sockets need.
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static BackendStartupFailure failureOf(String url, BackendCredential credential) {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> open(url, credential));
        return assertInstanceOf(BackendStartupFailure.class, failure.getCause());
    }

    @Test
    void unreachableSourceIsReportedWithAHint() {
        BackendStartupFailure failure = failureOf("postgresql://u:p@127.0.0.1:" + FreePort.pick() + "/db?sslmode=disable",
                new BackendCredential.Password("p"));
        assertEquals("08001", failure.error().sqlState());
        assertTrue(failure.error().message().contains("could not connect to the source"), failure.error().message());
        assertTrue(failure.error().hint().contains("exodus.source.url"));
    }

    @Test
    void aMissingSocketIsReportedLikeAnUnreachableHost() {
        BackendStartupFailure failure = failureOf("postgresql://u:p@/db?host=/nonexistent-exodus-folder&port=5432",
                new BackendCredential.Password("p"));
        assertEquals("08001", failure.error().sqlState());
        assertTrue(failure.error().message().contains("/nonexistent-exodus-folder"), failure.error().message());
    }

    @Test
    void opensASessionOverTheUnixSocket() throws Exception {
        var source = TestDatabases.source();
        String folder = source.socketDirectory().orElseThrow().toString();
        openAndClose("postgresql://" + TestUsers.SCRAM_USER + ":" + TestUsers.SCRAM_PASSWORD + "@/postgres?host="
                + folder + "&port=" + source.port(), new BackendCredential.Password(TestUsers.SCRAM_PASSWORD));
    }

    @Test
    void wrongPasswordIsTheSourcesOwnError() {
        BackendStartupFailure failure = failureOf(TestDatabases.source().url(TestUsers.SCRAM_USER, "wrong", "postgres")
                + "?sslmode=disable", new BackendCredential.Password("wrong"));
        assertEquals("28P01", failure.error().sqlState());
    }

    @Test
    void credentialThatCannotAnswerTheRequestSaysWhatToDo() {
        BackendStartupFailure failure = failureOf(TestDatabases.source().url(TestUsers.SCRAM_USER, "", "postgres")
                + "?sslmode=disable", new BackendCredential.None());
        assertEquals("28000", failure.error().sqlState());
        assertTrue(failure.error().hint().contains("exodus.auth.users"), failure.error().hint());
    }

    @Test
    void scramKeysForAnotherSecretAreRefused() {
        ScramClientKeys keys = ScramClientKeys.fromPassword(TestUsers.SCRAM_PASSWORD, new byte[16], 4096);
        BackendStartupFailure failure = failureOf(TestDatabases.source().url(TestUsers.SCRAM_USER, "", "postgres")
                + "?sslmode=disable", new BackendCredential.ScramKeys(keys));
        assertTrue(failure.error().sqlState().startsWith("28"), failure.error().toString());
    }

    @Test
    void cleartextAndTrustBackendsLetTheProxyIn() throws Exception {
        var target = TestDatabases.target();
        try (var admin = io.exodus.testsupport.ConnectionTarget.superuser(target).openJdbc()) {
            var statement = admin.createStatement();
            statement.execute("drop role if exists exodus_cleartext");
            statement.execute("drop role if exists exodus_trusted");
            statement.execute("create role exodus_cleartext login password 'clear-secret'");
            statement.execute("create role exodus_trusted login");
            java.nio.file.Path hba = target.dataDirectory().resolve("pg_hba.conf");
            String rules = "host all exodus_cleartext 127.0.0.1/32 password\n"
                    + "host all exodus_trusted 127.0.0.1/32 trust\n";
            String current = java.nio.file.Files.readString(hba);
            if (!current.startsWith(rules)) {
                java.nio.file.Files.writeString(hba, rules + current);
            }
            statement.execute("select pg_reload_conf()");
        }
        String base = "postgresql://%s@127.0.0.1:" + target.port() + "/postgres?sslmode=disable";
        openAndClose(String.format(base, "exodus_cleartext:clear-secret"), new BackendCredential.Password("clear-secret"));
        openAndClose(String.format(base, "exodus_trusted"), new BackendCredential.None());
        BackendStartupFailure md5Only = failureOf(String.format(base, "exodus_cleartext"),
                new BackendCredential.Md5Hash("md5" + "0".repeat(32)));
        assertEquals("28000", md5Only.error().sqlState(), "a stored hash cannot answer a cleartext request");
    }

    private static void openAndClose(String url, BackendCredential credential) throws Exception {
        open(url, credential).socket().close();
    }

    private static BackendConnection open(String url, BackendCredential credential) throws Exception {
        PostgresUrl parsed = PostgresUrl.parse(url);
        BackendConnector connector = new BackendConnector(
                vertx.createNetClient(BackendTls.clientOptions(parsed, Duration.ofSeconds(3))),
                new BackendEndpoint("source", parsed), 1 << 20, TcpKeepalive.SYSTEM_DEFAULTS);
        return OpenedSessions.open(vertx, connector,
                new BackendLogin(parsed.user(), parsed.database(), credential, Map.of()));
    }
}
