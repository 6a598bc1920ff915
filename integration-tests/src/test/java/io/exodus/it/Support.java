package io.exodus.it;

import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.TestDatabases;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.HashMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestUsers;

/** Small helpers shared by the integration tests: waiting, HTTP health probes, ports, direct SQL on a server. */
final class Support {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Support() {
    }

    /** The status code and body of a GET on 127.0.0.1:port/path, or status -1 when nothing answers. */
    record HttpAnswer(int status, String body) {
        boolean isUp() {
            return status == 200 && body.replace(" ", "").contains("\"status\":\"UP\"");
        }

        boolean isDown() {
            return status == 503 && body.replace(" ", "").contains("\"status\":\"DOWN\"");
        }
    }

    static HttpAnswer get(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).GET().build());
    }

    /** A GET of the admin API with the bearer token. */
    static HttpAnswer get(int port, String path, String token) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + token).GET().build());
    }

    /** A PUT of a JSON body to the admin API with the bearer token. */
    static HttpAnswer put(int port, String path, String token, String json) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** A POST of a JSON body to the admin API with the bearer token. */
    static HttpAnswer post(int port, String path, String token, String json) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** The answer, or status -1 with the reason when the proxy could not be reached. */
    private static HttpAnswer send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new HttpAnswer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new HttpAnswer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls the condition every 100 ms until it holds; false if it still does not after the timeout. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(100);
        }
    }

    /** Polls GET until it gives an answer the test wants; returns the last answer seen. */
    static HttpAnswer awaitHttp(int port, String path, Duration timeout, java.util.function.Predicate<HttpAnswer> wanted) {
        HttpAnswer[] last = new HttpAnswer[1];
        await(timeout, () -> wanted.test(last[0] = get(port, path)));
        return last[0];
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:port. */
    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Path proxyJar() {
        return jar("exodus.proxy.jar");
    }

    static Path analyzerJar() {
        return jar("exodus.analyzer.jar");
    }

    private static Path jar(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("System property " + property + " is not set (the pom sets it)");
        }
        return Path.of(value);
    }

    /** The superuser URL of a test server in the form the proxy takes. */
    static String superuserUrl(LocalPostgres server) {
        return server.url(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, TestUsers.DEFAULT_DATABASE)
                + "?sslmode=disable";
    }

    /** One long value from a query run as superuser straight on the server (not through the proxy). */
    static long queryLong(LocalPostgres server, String sql) {
        return queryLong(ConnectionTarget.superuser(server), sql);
    }

    /** One long value from a query run straight on a database (not through the proxy). */
    static long queryLong(ConnectionTarget database, String sql) {
        try (Connection connection = database.openJdbc();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Drops {@code database} on the shared source and target, with its sessions, and creates it empty on both. */
    static void recreateOnBoth(String database) {
        dropOnBoth(database);
        for (LocalPostgres server : new LocalPostgres[] { TestDatabases.source(), TestDatabases.target() }) {
            executeDirect(server, "create database " + database);
        }
    }

    /** {@link #recreateOnBoth(String)}, then {@code sql} run in the new database on both. */
    static void recreateOnBoth(String database, String sql) {
        recreateOnBoth(database);
        for (LocalPostgres server : new LocalPostgres[] { TestDatabases.source(), TestDatabases.target() }) {
            executeDirect(ConnectionTarget.superuser(server).withDatabase(database), sql);
        }
    }

    /**
     * Creates a database named {@code prefix} and a random suffix on the shared source and target, owned by the md5
     * test user, with durable commits: the shared servers run synchronous_commit off, and commits a server
     * acknowledged must survive its immediate shutdown, as on a real server.
     */
    static String createDurableOnBoth(String prefix) {
        String database = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        for (LocalPostgres server : new LocalPostgres[] { TestDatabases.source(), TestDatabases.target() }) {
            executeDirect(server, "create database " + database + " owner " + TestUsers.MD5_USER);
            executeDirect(server, "alter database " + database + " set synchronous_commit = on");
        }
        return database;
    }

    /** Drops {@code database} on the shared source and target, with its sessions. */
    static void dropOnBoth(String database) {
        for (LocalPostgres server : new LocalPostgres[] { TestDatabases.source(), TestDatabases.target() }) {
            executeDirect(server, "drop database if exists " + database + " with (force)");
        }
    }

    /** The superuser straight on {@code server}, in {@code database}. */
    static ConnectionTarget superuserIn(LocalPostgres server, String database) {
        return ConnectionTarget.superuser(server).withDatabase(database);
    }

    /** The md5 test user through the proxy listening on {@code listenPort}, in {@code database}. */
    static ConnectionTarget md5Client(int listenPort, String database) {
        return ConnectionTarget.local(listenPort, TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, database);
    }

    static void executeDirect(LocalPostgres server, String sql) {
        executeDirect(ConnectionTarget.superuser(server), sql);
    }

    static void executeDirect(ConnectionTarget database, String sql) {
        try (Connection connection = database.openJdbc();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** psql's output for a query that must succeed through the proxy; a failure carries psql's stderr and the proxy log. */
    static String psql(ProxyProcess proxy, ConnectionTarget target, String sql) {
        CommandResult result = Psql.against(target).command(sql);
        if (!result.succeeded()) {
            throw new AssertionError(withLog(proxy, "psql as " + target + " failed on: " + sql + "\nexit "
                    + result.exitCode() + ", stderr:\n" + result.stderr()).get());
        }
        return result.stdout().strip();
    }

    /** SIGTERM without waiting, so a test can act while the proxy shuts down. */
    static void sigterm(ProxyProcess proxy) {
        ProcessHandle.of(proxy.pid()).ifPresent(ProcessHandle::destroy);
    }

    /** A failure message that carries the proxy's log. */
    static Supplier<String> withLog(ProxyProcess proxy, String message) {
        return () -> message + "\n--- proxy log (" + proxy.logFile() + ") ---\n" + proxy.logText();
    }

    /**
     * The cutover's recent-verification gate off: the shared test servers hold databases other classes leave
     * different on purpose, which no verification would find whole. MigrationDemoTest and the proxy module's
     * RecentVerificationGateTest run with the gate at its default.
     */
    static final String NO_VERIFICATION_AGE = "0s";

    /** The packaged proxy in its own JVM in front of the shared test databases, listening once this returns. */
    static ProxyProcess startProxyOnTestDatabases(int listenPort, Map<String, String> extra) {
        Map<String, String> environment = new HashMap<>(Map.of(
                "EXODUS_SOURCE_URL", superuserUrl(TestDatabases.source()),
                "EXODUS_TARGET_URL", superuserUrl(TestDatabases.target()),
                "EXODUS_LISTEN_PORT", String.valueOf(listenPort),
                "QUARKUS_HTTP_PORT", String.valueOf(FreePorts.pick()),
                "EXODUS_MIGRATION_CUTOVER_MAX_VERIFICATION_AGE", NO_VERIFICATION_AGE));
        environment.putAll(extra);
        ProxyProcess proxy = ProxyProcess.start(proxyJar(), environment, List.of());
        try {
            return proxy.awaitListening(listenPort, Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    /**
     * The environment of one replica of a fleet: the control plane on, TLS off, the admin API on {@code httpPort} with
     * {@code token}, starting in {@code phase}. Mutable, for a test's own settings.
     */
    static Map<String, String> fleetReplica(String fleet, String id, int httpPort, String phase, String token) {
        Map<String, String> environment = new HashMap<>();
        environment.put("EXODUS_CONTROL_ENABLED", "true");
        environment.put("EXODUS_CONTROL_FLEET", fleet);
        environment.put("EXODUS_MIGRATION_PHASE", phase);
        environment.put("EXODUS_MIGRATION_PROXY_ID", id);
        environment.put("EXODUS_ADMIN_TOKEN", token);
        environment.put("EXODUS_TLS_MODE", "disable");
        environment.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        environment.put("EXODUS_MIGRATION_CUTOVER_MAX_VERIFICATION_AGE", NO_VERIFICATION_AGE);
        return environment;
    }
}
