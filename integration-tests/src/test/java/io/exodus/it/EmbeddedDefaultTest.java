package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.Psql;

/**
 * README command (1): the jar with no source URL starts two embedded PostgreSQL servers, prints the line to connect
 * with, serves clients and health checks, and takes its servers down with it on SIGTERM. The migration demo that
 * command 1 runs by default is turned off here (MigrationDemoTest runs it): these tests write tables of their own.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedDefaultTest {

    private static final Pattern CONNECT_LINE =
            Pattern.compile("Connect with: psql \"(postgresql://([^:\"]+):([^@\"]+)@127\\.0\\.0\\.1:(\\d+)/([^\"]+))\"");

    private static final Pattern DATA_FOLDER = Pattern.compile("Started PostgreSQL .*\\(data: ([^)]+)\\)");

    @Test
    void runsWithItsOwnServersAndStopsThemOnSigterm() {
        int listenPort = FreePorts.pick();
        int httpPort = FreePorts.pick();
        int sourcePort = FreePorts.pick();
        int targetPort = FreePorts.pick();
        Map<String, String> environment = Map.of(
                "EXODUS_LISTEN_PORT", String.valueOf(listenPort),
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort),
                "EXODUS_EMBEDDED_SOURCE_PORT", String.valueOf(sourcePort),
                "EXODUS_EMBEDDED_TARGET_PORT", String.valueOf(targetPort),
                "EXODUS_DEMO_ENABLED", "false");
        try (ProxyProcess proxy = ProxyProcess.start(Support.proxyJar(), environment, List.of())) {
            Matcher url = awaitConnectLine(proxy);
            assertEquals(listenPort, Integer.parseInt(url.group(4)), "the printed URL names the listen port");
            assertTrue(Support.listening(sourcePort), "embedded source listens on EXODUS_EMBEDDED_SOURCE_PORT");
            assertTrue(Support.listening(targetPort), "embedded target listens on EXODUS_EMBEDDED_TARGET_PORT");

            // Exactly what the README tells a user to run (psql's default sslmode=prefer: TLS with the self-signed cert).
            ConnectionTarget printed = ConnectionTarget.local(listenPort, url.group(2), url.group(3), url.group(5));
            CommandResult version = Psql.against(printed.withSslmode("prefer"))
                    .run(List.of("-d", url.group(1), "-c", "select version()"), null);
            assertTrue(version.succeeded(), Support.withLog(proxy, "psql with the printed URL failed: " + version));
            assertTrue(version.stdout().startsWith("PostgreSQL "), version.stdout());

            Support.psql(proxy, printed, "create table embedded_round_trip (id int primary key, name text)");
            Support.psql(proxy, printed, "insert into embedded_round_trip values (1, 'one'), (2, 'two'), (3, 'three')");
            assertEquals("3", Support.psql(proxy, printed, "select count(*) from embedded_round_trip"));
            assertEquals("two", Support.psql(proxy, printed, "select name from embedded_round_trip where id = 2"));
            List<Path> dataFolders = DATA_FOLDER.matcher(proxy.logText()).results()
                    .map(started -> Path.of(started.group(1))).toList();
            assertEquals(2, dataFolders.size(), Support.withLog(proxy, "two 'Started PostgreSQL … (data: …)' lines"));
            assertFalse(proxy.logText().contains("Migration demo"), Support.withLog(proxy,
                    "EXODUS_DEMO_ENABLED=false turns the demo off"));

            Support.HttpAnswer ready = Support.awaitHttp(httpPort, "/q/health/ready", Duration.ofSeconds(10), Support.HttpAnswer::isUp);
            assertTrue(ready.isUp(), Support.withLog(proxy, "readiness: " + ready));

            long stopping = System.nanoTime();
            boolean exited = proxy.stop(Duration.ofSeconds(30));
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
            assertTrue(exited, Support.withLog(proxy, "the proxy did not exit within 30 s of SIGTERM"));
            System.out.printf("EmbeddedDefaultTest: exit %s %d ms after SIGTERM%n", proxy.exitCode(), stopMillis);

            assertFalse(Support.listening(listenPort), "still something on the proxy port " + listenPort);
            assertFalse(Support.listening(httpPort), "still something on the HTTP port " + httpPort);
            assertFalse(Support.listening(sourcePort), Support.withLog(proxy, "embedded source still listens on " + sourcePort));
            assertFalse(Support.listening(targetPort), Support.withLog(proxy, "embedded target still listens on " + targetPort));
            for (Path folder : dataFolders) {
                assertFalse(Files.exists(folder), "the temporary data folder " + folder + " outlived the proxy");
            }
        }
    }

    /**
     * Servers kept in exodus.embedded.data-dir, no password configured: the second start uses the password the first
     * drew (it used to draw another, which the kept servers refused on every connection).
     */
    @Test
    void startsAgainOnTheServersItKeptInItsDataDir() throws Exception {
        Path dataDir = Files.createTempDirectory("exodus-embedded-kept-");
        try {
            for (int run = 1; run <= 2; run++) {
                int listenPort = FreePorts.pick();
                Map<String, String> environment = Map.of(
                        "EXODUS_LISTEN_PORT", String.valueOf(listenPort),
                        "QUARKUS_HTTP_PORT", String.valueOf(FreePorts.pick()),
                        "EXODUS_EMBEDDED_DATA_DIR", dataDir.toString(),
                        "EXODUS_DEMO_ENABLED", "false");
                try (ProxyProcess proxy = ProxyProcess.start(Support.proxyJar(), environment, List.of())) {
                    Matcher url = awaitConnectLine(proxy);
                    ConnectionTarget printed = ConnectionTarget.local(listenPort, url.group(2), url.group(3),
                            url.group(5));
                    if (run == 1) {
                        Support.psql(proxy, printed, "create table kept (id int)");
                        Support.psql(proxy, printed, "insert into kept values (1)");
                    } else {
                        assertEquals("1", Support.psql(proxy, printed, "select count(*) from kept"),
                                "run 2 reaches the servers run 1 kept");
                    }
                    assertTrue(proxy.stop(Duration.ofSeconds(30)), Support.withLog(proxy, "exit after SIGTERM"));
                }
            }
        } finally {
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void reachesItsServersOverUnixSocketsWhenAsked() {
        Map<String, String> environment = Map.of(
                "EXODUS_LISTEN_PORT", String.valueOf(FreePorts.pick()),
                "QUARKUS_HTTP_PORT", String.valueOf(FreePorts.pick()),
                "EXODUS_EMBEDDED_UNIX_SOCKETS", "true",
                "EXODUS_MIGRATION_PHASE", "dual-write",
                "EXODUS_DEMO_ENABLED", "false");
        try (ProxyProcess proxy = ProxyProcess.start(Support.proxyJar(), environment, List.of())) {
            Matcher url = awaitConnectLine(proxy);
            ConnectionTarget printed = ConnectionTarget.local(Integer.parseInt(url.group(4)), url.group(2),
                    url.group(3), url.group(5));
            Support.psql(proxy, printed, "create table over_sockets (id int primary key)");
            Support.psql(proxy, printed, "insert into over_sockets values (1)");
            // PostgreSQL reports no client address and port -1 for a session on its Unix socket.
            assertEquals("-1", Support.psql(proxy, printed,
                    "select client_port from pg_stat_activity where pid = pg_backend_pid()"));
            assertTrue(proxy.logText().contains("target postgresql://postgres@/postgres?host=/"),
                    Support.withLog(proxy, "the start-up line names the target's socket folder"));
            assertTrue(proxy.stop(Duration.ofSeconds(30)), Support.withLog(proxy, "no exit within 30 s of SIGTERM"));
        }
    }

    /** The printed "Connect with" line; the first run on a machine unpacks the binaries and runs initdb twice first. */
    private static Matcher awaitConnectLine(ProxyProcess proxy) {
        Matcher[] found = new Matcher[1];
        boolean announced = Support.await(Duration.ofSeconds(90), () -> {
            Matcher matcher = CONNECT_LINE.matcher(proxy.logText());
            if (matcher.find()) {
                found[0] = matcher;
                return true;
            }
            return !proxy.isAlive();
        });
        assertTrue(announced && found[0] != null,
                Support.withLog(proxy, "No 'Connect with: psql \"postgresql://…\"' line within 90 s (alive: "
                        + proxy.isAlive() + ")"));
        return found[0];
    }
}
