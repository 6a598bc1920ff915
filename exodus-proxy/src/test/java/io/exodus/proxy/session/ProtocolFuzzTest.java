package io.exodus.proxy.session;

import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated protocol messages, before and after authentication. Whatever the bytes, the proxy must
 * answer or wait as PostgreSQL would, never crash, never stop serving others, and never leak a session.
 * The seed is printed so that a failure can be replayed with -Dexodus.fuzz.seed=….
 */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
class ProtocolFuzzTest {
    private static final int CASES = Integer.getInteger("exodus.fuzz.cases", 150);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    SessionRegistry sessions;

    private final List<byte[]> validMessages = List.of(
            RawPgConnection.query("select 1"),
            RawPgConnection.query("select repeat('x', 100), now()"),
            RawPgConnection.typed('P', concat(RawPgConnection.cString("s1"), RawPgConnection.cString("select $1::int"),
                    new byte[] { 0, 0 })),
            RawPgConnection.typed('B', concat(RawPgConnection.cString(""), RawPgConnection.cString("s1"),
                    new byte[] { 0, 0, 0, 1, 0, 0, 0, 1, '7', 0, 0 })),
            RawPgConnection.typed('E', concat(RawPgConnection.cString(""), new byte[] { 0, 0, 0, 0 })),
            RawPgConnection.typed('S', new byte[0]),
            RawPgConnection.typed('H', new byte[0]),
            RawPgConnection.typed('D', concat(new byte[] { 'S' }, RawPgConnection.cString("s1"))),
            RawPgConnection.typed('C', concat(new byte[] { 'S' }, RawPgConnection.cString("s1"))),
            RawPgConnection.typed('d', new byte[] { 1, 2, 3 }),
            RawPgConnection.typed('c', new byte[0]));

    @Test
    void randomAndMutatedMessagesNeverHurtTheProxy() throws Exception {
        long seed = Long.getLong("exodus.fuzz.seed", System.nanoTime());
        System.out.println("ProtocolFuzzTest seed: " + seed);
        Random random = new Random(seed);
        int baseline = sessions.size();
        for (int i = 0; i < CASES; i++) {
            boolean beforeLogin = random.nextInt(4) == 0;
            byte[] input = beforeLogin ? randomStartupBytes(random) : mutatedMessages(random);
            try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
                if (!beforeLogin) {
                    connection.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, "postgres");
                }
                connection.readTimeout(300).send(input);
                drainBriefly(connection);
            } catch (SocketException closedOnUs) {
                // The proxy may close as soon as it sees a violation, even while we are still writing.
            }
        }
        assertServesANewSession();
        long deadline = System.currentTimeMillis() + 10_000;
        while (sessions.size() > baseline && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(baseline, sessions.size(), "every fuzzed session was released (seed " + seed + ")");
    }

    private byte[] randomStartupBytes(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> randomBytes(random, 1 + random.nextInt(64));
            case 1 -> mutate(random, RawPgConnection.startupPacket(3 << 16,
                    Map.of("user", TestUsers.MD5_USER, "database", "postgres")));
            default -> mutate(random, new byte[] { 0, 0, 0, 16, 0x04, (byte) 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 0, 0, 0, 2 });
        };
    }

    private byte[] mutatedMessages(Random random) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int count = 1 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            stream.writeBytes(validMessages.get(random.nextInt(validMessages.size())));
        }
        return mutate(random, stream.toByteArray());
    }

    private static byte[] mutate(Random random, byte[] input) {
        byte[] bytes = input.clone();
        switch (random.nextInt(5)) {
            case 0 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            case 1 -> {
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 2 -> {
                return java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            case 3 -> {
                return concat(bytes, randomBytes(random, 1 + random.nextInt(32)));
            }
            default -> {
                // unchanged: valid traffic must keep working in between
            }
        }
        return bytes;
    }

    private static void drainBriefly(RawPgConnection connection) throws IOException {
        try {
            for (int i = 0; i < 64; i++) {
                if (connection.readByte() < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException | SocketException e) {
            // Waiting for the rest of a message is what PostgreSQL does too; closing our end ends the case.
        }
    }

    private void assertServesANewSession() throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                TestUsers.MD5_USER, TestUsers.MD5_PASSWORD);
                ResultSet rs = connection.createStatement().executeQuery("select 'still serving'")) {
            assertTrue(rs.next());
            assertEquals("still serving", rs.getString(1));
        }
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            stream.writeBytes(part);
        }
        return stream.toByteArray();
    }
}
