package io.exodus.proxy.session;

import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input a client can send gets an ErrorResponse with a real SQLSTATE and a closed connection,
 * and leaves the proxy and the other sessions as they were.
 */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
class MalformedInputTest {

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    private Connection bystander;

    @BeforeEach
    void openABystanderSession() throws SQLException {
        bystander = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                TestUsers.MD5_USER, TestUsers.MD5_PASSWORD);
    }

    @AfterEach
    void bystanderIsUnharmed() throws SQLException {
        try (ResultSet rs = bystander.createStatement().executeQuery("select 6 * 7")) {
            rs.next();
            assertEquals(42, rs.getInt(1));
        }
        bystander.close();
    }

    private RawPgConnection loggedIn() throws IOException {
        RawPgConnection connection = new RawPgConnection("127.0.0.1", port);
        connection.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, "postgres");
        return connection;
    }

    private static void assertRefused(RawPgConnection connection, String sqlState, String messagePart)
            throws IOException {
        RawPgConnection.Message error = connection.readUntilError();
        assertEquals(sqlState, error.sqlState(), error.fields().toString());
        assertTrue(error.fields().get('M').contains(messagePart), error.fields().toString());
        assertTrue(connection.closedByPeer(), "the proxy closes the connection after a protocol violation");
    }

    @Test
    void unknownMessageTypeIsAProtocolViolation() throws IOException {
        try (RawPgConnection connection = loggedIn()) {
            connection.send(RawPgConnection.typed('!', new byte[] { 1, 2, 3 }));
            assertRefused(connection, "08P01", "invalid frontend message type '!'");
        }
    }

    @Test
    void lengthShorterThanItsOwnWordIsAProtocolViolation() throws IOException {
        try (RawPgConnection connection = loggedIn()) {
            connection.send(new byte[] { 'Q', 0, 0, 0, 2 });
            assertRefused(connection, "08P01", "invalid message length 2");
        }
    }

    @Test
    void oversizedMessageIsRefusedBeforeItsBodyArrives() throws IOException {
        try (RawPgConnection connection = loggedIn()) {
            connection.send(new byte[] { 'Q', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 's', 'e', 'l' });
            assertRefused(connection, "54000", "exceeds the limit");
        }
    }

    @Test
    void validQueryBeforeABadMessageStillRuns() throws IOException {
        try (RawPgConnection connection = loggedIn()) {
            byte[] good = RawPgConnection.query("select 1");
            byte[] bad = RawPgConnection.typed('\u00ff', new byte[0]);
            connection.send(ByteBuffer.allocate(good.length + bad.length).put(good).put(bad).array());
            RawPgConnection.Message first = connection.read();
            assertEquals('E', first.type(), "the proxy refuses before forwarding anything after the bad header");
            assertEquals("08P01", first.sqlState());
        }
    }

    /** As PostgreSQL does: a peer that does not speak the protocol gets no answer it could not read, only a close. */
    @Test
    void startupPacketWithAnImpossibleLengthIsClosedWithoutAnAnswer() throws IOException {
        for (byte[] packet : new byte[][] { { 0, 0, 0, 3, 0, 3, 0, 0 }, { 0, 1, 0, 0, 0, 3, 0, 0 },
                "GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII) }) {
            try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
                connection.readTimeout(10_000);
                connection.send(packet);
                assertEquals(-1, connection.readByte(), "closed without a byte of answer");
            }
        }
    }

    @Test
    void startupPacketWithoutItsTerminatorIsRefused() throws IOException {
        try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
            byte[] startup = RawPgConnection.startupPacket(3 << 16, Map.of("user", "postgres"));
            // The same packet one byte shorter: the list of parameters has no terminating empty name.
            byte[] cut = java.util.Arrays.copyOf(startup, startup.length - 1);
            ByteBuffer.wrap(cut).putInt(0, cut.length);
            connection.send(cut);
            assertRefused(connection, "08P01", "invalid startup packet layout");
        }
    }

    @Test
    void unknownProtocolVersionIsRefusedAsUnsupported() throws IOException {
        try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
            connection.send(RawPgConnection.startupPacket(2 << 16, Map.of("user", "postgres")));
            assertRefused(connection, "0A000", "unsupported frontend protocol 2.0");
        }
    }

    @Test
    void startupWithoutUserIsRefused() throws IOException {
        try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
            connection.send(RawPgConnection.startupPacket(3 << 16, Map.of("database", "postgres")));
            assertRefused(connection, "28000", "no PostgreSQL user name");
        }
    }

    @Test
    void plaintextSentRightAfterSslRequestIsRefused() throws IOException {
        try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
            byte[] sslRequest = { 0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f };
            byte[] startup = RawPgConnection.startupPacket(3 << 16, Map.of("user", "postgres"));
            connection.send(ByteBuffer.allocate(sslRequest.length + startup.length).put(sslRequest).put(startup).array());
            assertRefused(connection, "08P01", "unencrypted data after SSL request");
        }
    }

    @Test
    void gssEncryptionRequestIsDeclinedAndTheSessionGoesOn() throws IOException {
        try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
            connection.send(new byte[] { 0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x30 });
            assertEquals('N', connection.readByte());
            connection.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, "postgres");
        }
    }

    @Test
    void newerMinorProtocolIsNegotiatedDownTo30() throws IOException {
        try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
            connection.send(RawPgConnection.startupPacket((3 << 16) | 2,
                    Map.of("user", TestUsers.MD5_USER, "database", "postgres", "_pq_.magic", "on")));
            RawPgConnection.Message negotiate = connection.read();
            assertEquals('v', negotiate.type());
            ByteBuffer body = ByteBuffer.wrap(negotiate.body());
            assertEquals(3 << 16, body.getInt());
            assertEquals(1, body.getInt());
        }
    }

    @Test
    void passwordMessageOutsideAuthenticationIsAProtocolViolation() throws IOException {
        try (RawPgConnection connection = loggedIn()) {
            connection.send(RawPgConnection.typed('p', RawPgConnection.cString("secret")));
            assertRefused(connection, "08P01", "invalid frontend message type 'p'");
        }
    }
}
