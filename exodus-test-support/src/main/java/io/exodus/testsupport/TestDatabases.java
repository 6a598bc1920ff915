package io.exodus.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.exodus.localpg.LocalPostgres;

/**
 * The source and target servers every test in this JVM shares, started on first use and stopped when the JVM exits.
 * Both carry the roles and databases of {@link TestUsers}. Tests that crash or stop a server must start it again.
 *
 * <p>Quarkus loads this class anew for each test profile, in a fresh class loader whose static fields start empty.
 * So the first copy announces its servers in system properties, and later copies attach to the running servers
 * instead of starting another pair.
 */
public final class TestDatabases {

    private static final long START_TIMEOUT_MINUTES = 3;
    private static final String SOURCE = "source";
    private static final String TARGET = "target";
    // A string literal is interned JVM-wide, so every class loader's copy of this class locks the same object.
    private static final Object ACROSS_CLASS_LOADERS = "io.exodus.testsupport.TestDatabases.lock";

    private static ServerPair pair;
    private static RuntimeException startFailure;

    private TestDatabases() {
    }

    public static LocalPostgres source() {
        return pair().source();
    }

    public static LocalPostgres target() {
        return pair().target();
    }

    /** Simulates a crash of the target (immediate shutdown) and starts it again on the same port and data. */
    public static void crashAndRestartTarget() {
        LocalPostgres target = target();
        target.stopImmediately();
        target.start();
    }

    /**
     * Stops the target as a crash would (immediate shutdown) and leaves it stopped, for tests of what clients see while
     * it is down. The caller must {@link #startTarget()} again, in a finally block: every test class shares it.
     */
    public static void stopTargetImmediately() {
        target().stopImmediately();
    }

    /** Starts the target again on the same port and data after {@link #stopTargetImmediately()}; does nothing if it runs. */
    public static void startTarget() {
        target().start();
    }

    /** Simulates a crash of the source (immediate shutdown) and starts it again on the same port and data. */
    public static void crashAndRestartSource() {
        LocalPostgres source = source();
        source.stopImmediately();
        source.start();
    }

    /**
     * Stops the source as a crash would and leaves it stopped, for tests of what clients see while it is down as the
     * secondary (after the cutover). The caller must {@link #startSource()} again, in a finally block.
     */
    public static void stopSourceImmediately() {
        source().stopImmediately();
    }

    /**
     * Drops, on both servers, every database but the shared ones ({@link TestUsers}) and {@code keep}: those earlier
     * tests left behind. A cutover looks through every database of both servers (replay queues, divergence marks,
     * sequences), so a class that cuts over took longer the more classes had run before it (CutoverAndRollbackTest: 83 s
     * alone, 231 s in the whole suite). The divergence marks of the databases kept are forgotten too: other classes
     * leave marks on purpose, and a mark holds a cutover back.
     */
    public static void dropDatabasesOfOtherTests(String... keep) throws SQLException {
        List<String> kept = new ArrayList<>(List.of(TestUsers.DEFAULT_DATABASE, TestUsers.APP_DATABASE));
        kept.addAll(List.of(keep));
        for (LocalPostgres server : List.of(source(), target())) {
            for (String database : databasesOf(server)) {
                if (!kept.contains(database)) {
                    try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                            Statement statement = connection.createStatement()) {
                        statement.execute("DROP DATABASE IF EXISTS \"" + database.replace("\"", "\"\"")
                                + "\" WITH (FORCE)");
                    }
                }
            }
        }
        forgetDivergenceMarks();
    }

    private static List<String> databasesOf(LocalPostgres server) throws SQLException {
        List<String> databases = new ArrayList<>();
        try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(
                        "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate")) {
            while (rows.next()) {
                databases.add(rows.getString(1));
            }
        }
        return databases;
    }

    /**
     * Forgets the tables Exodus marked divergent ({@code exodus.divergent_tables}) in every database of both shared
     * servers. A mark holds any move of the primary back until a verification finds its table identical, and the
     * servers are shared by every test class: a class that cuts over calls this first, so that the marks other classes
     * made on purpose in their own databases are not its scenario.
     */
    public static void forgetDivergenceMarks() throws SQLException {
        for (LocalPostgres server : List.of(source(), target())) {
            for (String database : databasesOf(server)) {
                try (Connection connection = ConnectionTarget.superuser(server).withDatabase(database).openJdbc();
                        Statement statement = connection.createStatement()) {
                    statement.execute("DO $$ BEGIN IF pg_catalog.to_regclass('exodus.divergent_tables') IS NOT NULL "
                            + "THEN DELETE FROM exodus.divergent_tables; END IF; END $$");
                } catch (SQLException dropped) {
                    // A database another class dropped meanwhile has no marks left.
                    if (!"3D000".equals(dropped.getSQLState())) {
                        throw dropped;
                    }
                }
            }
        }
    }

    /** Starts the source again after {@link #stopSourceImmediately()}; does nothing if it runs. */
    public static void startSource() {
        source().start();
    }

    private static ServerPair pair() {
        synchronized (ACROSS_CLASS_LOADERS) {
            if (pair == null) {
                // Remembered so that a broken setup fails every test quickly instead of retrying a slow start.
                if (startFailure != null) {
                    throw new IllegalStateException("The test databases failed to start earlier", startFailure);
                }
                try {
                    pair = attachToAnnounced().orElseGet(TestDatabases::startPair);
                } catch (RuntimeException e) {
                    startFailure = e;
                    throw e;
                }
            }
            return pair;
        }
    }

    private static Optional<ServerPair> attachToAnnounced() {
        Optional<AnnouncedServer> source = AnnouncedServer.find(SOURCE);
        Optional<AnnouncedServer> target = AnnouncedServer.find(TARGET);
        if (source.isEmpty() || target.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ServerPair(attach(SOURCE, source.get()), attach(TARGET, target.get())));
    }

    /** Starting a server whose data folder already runs does nothing, so this just binds a handle to it. */
    static LocalPostgres attach(String name, AnnouncedServer announced) {
        return configured(name)
                .port(announced.port())
                .dataDirectory(announced.dataDirectory())
                .binDirectory(announced.binDirectory())
                .start();
    }

    private static ServerPair startPair() {
        // Embedded either way today: the switch either asks for them or falls back to them, saying so.
        TestServerKind.chosen();
        CompletableFuture<LocalPostgres> source = CompletableFuture.supplyAsync(() -> startServer(SOURCE));
        CompletableFuture<LocalPostgres> target = CompletableFuture.supplyAsync(() -> startServer(TARGET));
        try {
            ServerPair started = new ServerPair(source.get(START_TIMEOUT_MINUTES, TimeUnit.MINUTES),
                    target.get(START_TIMEOUT_MINUTES, TimeUnit.MINUTES));
            AnnouncedServer.announce(SOURCE, started.source());
            AnnouncedServer.announce(TARGET, started.target());
            return started;
        } catch (ExecutionException e) {
            closeQuietly(source, target);
            throw new IllegalStateException("Could not start the test databases: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            closeQuietly(source, target);
            throw new IllegalStateException("The test databases did not start within " + START_TIMEOUT_MINUTES
                    + " minutes", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(source, target);
            throw new IllegalStateException("Interrupted while starting the test databases", e);
        }
    }

    private static LocalPostgres startServer(String name) {
        return startServer(configured(name));
    }

    /** Starts a server configured as the shared ones are and gives it their roles and databases. */
    static LocalPostgres startServer(LocalPostgres.Builder configured) {
        LocalPostgres server = configured.start();
        try {
            createUsers(server);
            return server;
        } catch (SQLException | RuntimeException e) {
            server.close();
            throw new IllegalStateException("Could not create the test roles on " + server + ": " + e.getMessage(), e);
        }
    }

    static LocalPostgres.Builder configured(String name) {
        return LocalPostgres.builder()
                .name(name)
                .superuser(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD)
                // md5 lets both SCRAM-stored and md5-stored passwords log in (SCRAM ones are still checked by SCRAM).
                .hostAuthMethod("md5")
                .setting("max_prepared_transactions", "20")
                .setting("wal_level", "logical")
                .setting("max_connections", "200")
                .tradeDurabilityForSpeed();
    }

    private static void createUsers(LocalPostgres server) throws SQLException {
        String bothUsers = TestUsers.SCRAM_USER + ", " + TestUsers.MD5_USER;
        try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                Statement statement = connection.createStatement()) {
            for (String sql : List.of(
                    "SET password_encryption = 'scram-sha-256'",
                    "CREATE ROLE " + TestUsers.SCRAM_USER + " LOGIN CREATEDB PASSWORD '" + TestUsers.SCRAM_PASSWORD + "'",
                    "SET password_encryption = 'md5'",
                    "CREATE ROLE " + TestUsers.MD5_USER + " LOGIN CREATEDB PASSWORD '" + TestUsers.MD5_PASSWORD + "'",
                    "GRANT ALL ON DATABASE " + TestUsers.DEFAULT_DATABASE + " TO " + bothUsers,
                    "GRANT ALL ON SCHEMA public TO " + bothUsers,
                    "CREATE DATABASE " + TestUsers.APP_DATABASE + " OWNER " + TestUsers.SCRAM_USER)) {
                statement.execute(sql);
            }
        }
    }

    @SafeVarargs
    private static void closeQuietly(CompletableFuture<LocalPostgres>... servers) {
        for (CompletableFuture<LocalPostgres> server : servers) {
            // A start still running is left to the JVM shutdown hook, which stops every server.
            server.thenAccept(LocalPostgres::close);
        }
    }

    private record ServerPair(LocalPostgres source, LocalPostgres target) {
    }
}
