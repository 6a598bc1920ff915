package io.exodus.proxy.backend;

import io.exodus.localpg.LocalPostgres;
import io.exodus.proxy.auth.BackendCredential;
import io.exodus.proxy.config.PostgresUrl;
import io.exodus.proxy.tls.BackendTls;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS from the proxy to a backend, as libpq's sslmode values mean it, against a real PostgreSQL with TLS on:
 * require encrypts, verify-full checks the certificate and the host name, a server without TLS is refused when
 * TLS is required, and SNI is always sent (routers such as Neon's pick the database by it).
 */
class BackendTlsTest {
    private static Vertx vertx;
    private static SelfSignedCertificate certificate;
    private static Path rootCert;

    @BeforeAll
    static void turnOnTlsOnTheSource() throws Exception {
        vertx = Vertx.vertx();
        certificate = SelfSignedCertificate.create("localhost");
        LocalPostgres source = TestDatabases.source();
        Path cert = source.dataDirectory().resolve("exodus-test-server.crt");
        Path key = source.dataDirectory().resolve("exodus-test-server.key");
        Files.copy(Path.of(certificate.certificatePath()), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(certificate.privateKeyPath()), key, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        rootCert = cert;
        try (Connection connection = ConnectionTarget.superuser(source).openJdbc()) {
            var statement = connection.createStatement();
            statement.execute("alter system set ssl_cert_file = '" + cert + "'");
            statement.execute("alter system set ssl_key_file = '" + key + "'");
            statement.execute("alter system set ssl = on");
            statement.execute("select pg_reload_conf()");
        }
    }

    @AfterAll
    static void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static BackendConnection open(String host, int port, String sslmode) throws Exception {
        String url = "postgresql://" + TestUsers.SCRAM_USER + ":" + TestUsers.SCRAM_PASSWORD + "@" + host + ":" + port
                + "/postgres?sslmode=" + sslmode + "&sslrootcert=" + rootCert;
        return openUrl(url);
    }

    private static BackendConnection openUrl(String url) throws Exception {
        PostgresUrl parsed = PostgresUrl.parse(url);
        BackendConnector connector = new BackendConnector(
                vertx.createNetClient(BackendTls.clientOptions(parsed, Duration.ofSeconds(5))),
                new BackendEndpoint("source", parsed), 1 << 20, TcpKeepalive.SYSTEM_DEFAULTS);
        BackendLogin login = new BackendLogin(parsed.user(), parsed.database(),
                new BackendCredential.Password(parsed.password()), Map.of("application_name", "backend-tls-test"));
        return OpenedSessions.open(vertx, connector, login);
    }

    @Test
    void requireEncryptsWithoutCheckingTheCertificate() throws Exception {
        BackendConnection connection = open("127.0.0.1", TestDatabases.source().port(), "require");
        assertTrue(connection.socket().isSsl());
        connection.socket().close();
    }

    @Test
    void preferFallsBackToPlainTextOnAServerWithoutTls() throws Exception {
        BackendConnection connection = open("127.0.0.1", TestDatabases.target().port(), "prefer");
        assertTrue(!connection.socket().isSsl());
        connection.socket().close();
    }

    @Test
    void verifyFullAcceptsTheRightHostName() throws Exception {
        BackendConnection connection = open("localhost", TestDatabases.source().port(), "verify-full");
        assertTrue(connection.socket().isSsl());
        connection.socket().close();
    }

    @Test
    void verifyFullRefusesACertificateForAnotherHost() {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> open("127.0.0.1", TestDatabases.source().port(), "verify-full"));
        BackendStartupFailure startup = assertInstanceOf(BackendStartupFailure.class, failure.getCause());
        assertEquals("08001", startup.error().sqlState());
    }

    @Test
    void requireAgainstAServerWithoutTlsIsRefused() {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> open("127.0.0.1", TestDatabases.target().port(), "require"));
        BackendStartupFailure startup = assertInstanceOf(BackendStartupFailure.class, failure.getCause());
        assertEquals("08001", startup.error().sqlState());
        assertTrue(startup.error().message().contains("does not accept TLS"), startup.error().message());
    }

    @Test
    void sniCarriesTheBackendHostName() throws Exception {
        CompletableFuture<String> indicated = new CompletableFuture<>();
        NetServer fakeBackend = vertx.createNetServer(new NetServerOptions().setPort(0).setHost("127.0.0.1")
                .setSni(true).setKeyCertOptions(certificate.keyCertOptions()));
        fakeBackend.connectHandler(socket -> socket.handler(sslRequest -> {
            socket.handler(ignored -> {
                indicated.complete(socket.indicatedServerName());
                socket.close();
            });
            socket.write(Buffer.buffer("S"));
            socket.upgradeToSsl();
        }));
        Future<NetServer> listening = fakeBackend.listen();
        int port = listening.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).actualPort();
        try {
            assertThrows(ExecutionException.class, () -> open("localhost", port, "require"));
            assertEquals("localhost", indicated.get(5, TimeUnit.SECONDS));
        } finally {
            fakeBackend.close();
        }
    }
}
