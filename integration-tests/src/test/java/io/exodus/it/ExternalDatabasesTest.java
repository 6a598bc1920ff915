package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

/** README's second form: the proxy in front of databases given by URL; logins, readiness following the source. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ExternalDatabasesTest {

    @Test
    void usersLogInAndReadinessFollowsTheSource() {
        LocalPostgres source = TestDatabases.source();
        int listenPort = FreePorts.pick();
        int httpPort = FreePorts.pick();
        Map<String, String> environment = Map.of(
                "EXODUS_SOURCE_URL", Support.superuserUrl(source),
                "EXODUS_TARGET_URL", Support.superuserUrl(TestDatabases.target()),
                "EXODUS_LISTEN_PORT", String.valueOf(listenPort),
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        try (ProxyProcess proxy = ProxyProcess.start(Support.proxyJar(), environment, List.of())) {
            proxy.awaitListening(listenPort, Duration.ofSeconds(60));
            ConnectionTarget scram = ConnectionTarget.local(listenPort, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                    TestUsers.DEFAULT_DATABASE);
            ConnectionTarget md5 = scram.withUser(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD);

            assertEquals(TestUsers.SCRAM_USER, Support.psql(proxy, scram, "select current_user"));
            assertEquals(TestUsers.MD5_USER, Support.psql(proxy, md5, "select current_user"));
            assertEquals(TestUsers.SCRAM_USER + "|" + TestUsers.APP_DATABASE,
                    Support.psql(proxy, scram.withDatabase(TestUsers.APP_DATABASE),
                            "select current_user || '|' || current_database()"));

            Support.HttpAnswer ready = Support.awaitHttp(httpPort, "/q/health/ready", Duration.ofSeconds(10), Support.HttpAnswer::isUp);
            assertTrue(ready.isUp(), Support.withLog(proxy, "readiness with the source up: " + ready));
            assertFalse(proxy.logText().contains("Migration demo"), Support.withLog(proxy,
                    "no demo on databases given by URL: they are someone's"));

            try {
                source.stop();
                Support.HttpAnswer down = Support.awaitHttp(httpPort, "/q/health/ready", Duration.ofSeconds(5),
                        Support.HttpAnswer::isDown);
                assertTrue(down.isDown(), Support.withLog(proxy, "readiness 5 s after the source stopped: " + down));
                assertTrue(Support.get(httpPort, "/q/health/live").status() == 200, "liveness stays UP");
            } finally {
                source.start();
            }

            Support.HttpAnswer upAgain = Support.awaitHttp(httpPort, "/q/health/ready", Duration.ofSeconds(10),
                    Support.HttpAnswer::isUp);
            assertTrue(upAgain.isUp(), Support.withLog(proxy, "readiness 10 s after the source restarted: " + upAgain));
            // Both need the auth query, whose connection to the source died with the restart.
            assertEquals(TestUsers.SCRAM_USER, Support.psql(proxy, scram, "select current_user"));
            assertEquals(TestUsers.MD5_USER, Support.psql(proxy, md5, "select current_user"));
            assertTrue(proxy.stop(Duration.ofSeconds(30)), Support.withLog(proxy, "no exit within 30 s of SIGTERM"));
        } finally {
            if (!source.isRunning()) {
                source.start();
            }
        }
    }
}
