package io.exodus.proxy.auth;

import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A client that connects and then stalls is told why and cut off, instead of holding a slot forever. */
@QuarkusTest
@TestProfile(AuthenticationTimeoutTest.ShortTimeout.class)
@QuarkusTestResource(PostgresPairResource.class)
class AuthenticationTimeoutTest {

    /**
     * Short, but not so short that a loaded two-core CI machine misses the first challenge: the timer runs from the
     * client's connect, through the proxy's own connection to the server (1 s failed there once).
     */
    public static class ShortTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("exodus.auth.timeout", "3s");
        }
    }

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Test
    void clientThatNeverAnswersTheChallengeIsClosed() throws IOException {
        try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
            connection.send(RawPgConnection.startupPacket(3 << 16,
                    Map.of("user", TestUsers.SCRAM_USER, "database", "postgres")));
            assertEquals('R', connection.read().type(), "the challenge");
            RawPgConnection.Message error = connection.readUntilError();
            assertEquals("08P01", error.sqlState());
            assertTrue(error.fields().get('M').contains("did not finish authentication"), error.fields().toString());
            assertTrue(connection.closedByPeer());
        }
    }

    @Test
    void clientThatSendsNothingIsClosed() throws IOException {
        try (RawPgConnection connection = new RawPgConnection("127.0.0.1", port)) {
            assertEquals("08P01", connection.readUntilError().sqlState());
            assertTrue(connection.closedByPeer());
        }
    }
}
