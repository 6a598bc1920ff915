package io.exodus.proxy.auth;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With exodus.auth.method=md5, users whose password the proxy knows are asked for md5, and a user whose only
 * secret is SCRAM is still asked for SCRAM, as PostgreSQL does under an md5 pg_hba line. Users from
 * exodus.auth.users log in with their configured password and reach the backend with it.
 */
@QuarkusTest
@TestProfile(Md5MethodTest.Md5Method.class)
@QuarkusTestResource(PostgresPairResource.class)
class Md5MethodTest {

    public static class Md5Method implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("exodus.auth.method", "md5",
                    "exodus.auth.users.\"" + TestUsers.MD5_USER + "\"", TestUsers.MD5_PASSWORD);
        }
    }

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    private String currentUser(String user, String password) {
        return Psql.against(ConnectionTarget.local(port, user, password, TestUsers.DEFAULT_DATABASE))
                .query("select current_user");
    }

    @Test
    void everyKindOfUserLogsIn() {
        assertEquals(TestUsers.SUPERUSER, currentUser(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD));
        assertEquals(TestUsers.MD5_USER, currentUser(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD));
        assertEquals(TestUsers.SCRAM_USER, currentUser(TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD));
    }

    @Test
    void wrongPasswordUnderMd5IsRefused() {
        var refused = Psql.against(ConnectionTarget.local(port, TestUsers.SUPERUSER, "wrong",
                TestUsers.DEFAULT_DATABASE)).command("select 1");
        assertEquals(2, refused.exitCode());
        assertTrue(refused.stderr().contains("password authentication failed for user \"postgres\""),
                refused.stderr());
    }
}
