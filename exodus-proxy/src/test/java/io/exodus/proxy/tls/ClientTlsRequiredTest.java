package io.exodus.proxy.tls;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With exodus.tls.mode=require, a client that does not ask for TLS is refused with a message that says why. */
@QuarkusTest
@TestProfile(ClientTlsRequiredTest.TlsRequired.class)
@QuarkusTestResource(PostgresPairResource.class)
class ClientTlsRequiredTest {

    public static class TlsRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("exodus.tls.mode", "require");
        }
    }

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    private ConnectionTarget proxy(String sslmode) {
        return ConnectionTarget.local(port, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                TestUsers.DEFAULT_DATABASE).withSslmode(sslmode);
    }

    @Test
    void plainTextClientIsRefused() {
        SQLException refused = assertThrows(SQLException.class, () -> proxy("disable").openJdbc().close());
        assertEquals("28000", refused.getSQLState());
        assertTrue(refused.getMessage().contains("sslmode=require"), refused.getMessage());
    }

    @Test
    void tlsClientIsServed() throws SQLException {
        try (Connection connection = proxy("require").openJdbc();
                ResultSet rs = connection.createStatement().executeQuery("select 'over tls'")) {
            assertTrue(rs.next());
            assertEquals("over tls", rs.getString(1));
        }
    }
}
