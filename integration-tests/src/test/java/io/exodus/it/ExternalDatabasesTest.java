package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
                "EXODUS_SOURCE_URL", It.superuserUrl(source),
                "EXODUS_TARGET_URL", It.superuserUrl(TestDatabases.target()),
                "EXODUS_LISTEN_PORT", String.valueOf(listenPort),
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        try (ProxyProcess proxy = ProxyProcess.start(It.proxyJar(), environment, List.of())) {
            proxy.awaitListening(listenPort, Duration.ofSeconds(60));
            ConnectionTarget scram = ConnectionTarget.local(listenPort, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                    TestUsers.DEFAULT_DATABASE);
            ConnectionTarget md5 = scram.withUser(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD);

            assertEquals(TestUsers.SCRAM_USER, It.psql(proxy, scram, "select current_user"));
            assertEquals(TestUsers.MD5_USER, It.psql(proxy, md5, "select current_user"));
            assertEquals(TestUsers.SCRAM_USER + "|" + TestUsers.APP_DATABASE,
                    It.psql(proxy, scram.withDatabase(TestUsers.APP_DATABASE),
                            "select current_user || '|' || current_database()"));

            It.HttpAnswer ready = It.awaitHttp(httpPort, "/q/health/ready", Duration.ofSeconds(10), It.HttpAnswer::isUp);
            assertTrue(ready.isUp(), It.withLog(proxy, "readiness with the source up: " + ready));

            try {
                source.stop();
                It.HttpAnswer down = It.awaitHttp(httpPort, "/q/health/ready", Duration.ofSeconds(5),
                        It.HttpAnswer::isDown);
                assertTrue(down.isDown(), It.withLog(proxy, "readiness 5 s after the source stopped: " + down));
                assertTrue(It.get(httpPort, "/q/health/live").status() == 200, "liveness stays UP");
            } finally {
                source.start();
            }

            It.HttpAnswer upAgain = It.awaitHttp(httpPort, "/q/health/ready", Duration.ofSeconds(10),
                    It.HttpAnswer::isUp);
            assertTrue(upAgain.isUp(), It.withLog(proxy, "readiness 10 s after the source restarted: " + upAgain));
            // Both need the auth query, whose connection to the source died with the restart.
            assertEquals(TestUsers.SCRAM_USER, It.psql(proxy, scram, "select current_user"));
            assertEquals(TestUsers.MD5_USER, It.psql(proxy, md5, "select current_user"));
            assertTrue(proxy.stop(Duration.ofSeconds(30)), It.withLog(proxy, "no exit within 30 s of SIGTERM"));
        } finally {
            if (!source.isRunning()) {
                source.start();
            }
        }
    }
}
