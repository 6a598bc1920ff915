package io.exodus.proxy.auth;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Once the source is retired, the auth query asks the target: the source may be shut down by then, and the
 * application's users must still log in. A user that exists on the target only stands for both cases here: asked, the
 * source would not know it.
 */
@QuarkusTest
@TestProfile(AuthQueryAfterRetirementTest.SourceRetired.class)
@QuarkusTestResource(PostgresPairResource.class)
class AuthQueryAfterRetirementTest {
    private static final String USER = "retired_login";
    private static final String PASSWORD = "after-the-source";

    public static class SourceRetired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("exodus.migration.phase", "source-retired", "exodus.auth.query.enabled", "true");
        }
    }

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeAll
    static void aUserOnTheTargetOnly() {
        Psql.against(ConnectionTarget.superuser(TestDatabases.source())).query("drop role if exists " + USER);
        Psql.against(ConnectionTarget.superuser(TestDatabases.target())).query("drop role if exists " + USER
                + "; create role " + USER + " login password '" + PASSWORD + "'");
    }

    @AfterAll
    static void dropTheUser() {
        Psql.against(ConnectionTarget.superuser(TestDatabases.target())).query("drop role if exists " + USER);
    }

    @Test
    void aUserOfTheTargetLogsInThroughTheAuthQuery() {
        String answer = Psql.against(ConnectionTarget.local(port, USER, PASSWORD, TestUsers.DEFAULT_DATABASE))
                .query("select current_user || ' ' || current_setting('port')");
        assertEquals(USER + " " + TestDatabases.target().port(), answer);
    }
}
