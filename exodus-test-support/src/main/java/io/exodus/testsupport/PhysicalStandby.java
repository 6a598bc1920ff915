package io.exodus.testsupport;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.exodus.localpg.LocalPostgres;

/**
 * A hot standby of a test server, streaming from it through a physical replication slot. The embedded binaries have
 * no pg_basebackup, so it is made as pg_basebackup would make it, with PostgreSQL's low-level backup API: the
 * primary's data folder copied between {@code pg_backup_start} and {@code pg_backup_stop} (with the slot created
 * first, so that the primary keeps the WAL the copy needs), then started with {@code standby.signal}. Its
 * {@code application_name} and slot are both {@link #name()}. {@link #close()} stops it, deletes its files and
 * drops the slot, which would otherwise keep the primary's WAL for good.
 */
public final class PhysicalStandby implements AutoCloseable {
    /** What the copy leaves out, as pg_basebackup does: the running server's own files and what it rebuilds. */
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "server.log",
            "backup_label", "tablespace_map");
    private static final Set<String> EMPTIED_FOLDERS = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_dynshmem",
            "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans");
    /** A hot standby refuses to start with less of these than its primary has. */
    private static final List<String> AT_LEAST_THE_PRIMARYS = List.of("max_connections", "max_prepared_transactions",
            "max_worker_processes", "max_wal_senders", "max_locks_per_transaction");

    private static final Duration SLOT_RELEASE_TIMEOUT = Duration.ofSeconds(30);
    private static final String OBJECT_IN_USE = "55006";

    private final String name;
    private final ConnectionTarget primary;
    private final Path dataDirectory;
    private LocalPostgres server;

    private PhysicalStandby(String name, ConnectionTarget primary, Path dataDirectory) {
        this.name = name;
        this.primary = primary;
        this.dataDirectory = dataDirectory;
    }

    /** @param name a lower-case SQL identifier: the slot's name and the standby's application_name */
    public static PhysicalStandby of(LocalPostgres primaryServer, String name) throws SQLException, IOException {
        ConnectionTarget primary = ConnectionTarget.superuser(primaryServer);
        PhysicalStandby standby = new PhysicalStandby(name, primary,
                Files.createTempDirectory("exodus-pg-" + name + "-data-"));
        try {
            query(primary, "SELECT pg_create_physical_replication_slot('" + name + "', true)");
            standby.copyFrom(primaryServer);
            Files.createFile(standby.dataDirectory.resolve("standby.signal"));
            LocalPostgres.Builder builder = LocalPostgres.builder()
                    .name(name)
                    // A standby runs its primary's major version: the data folder is a copy of the primary's.
                    .binDirectory(primaryServer.binDirectory())
                    .superuser(primaryServer.superuser(), primaryServer.superuserPassword())
                    .dataDirectory(standby.dataDirectory)
                    .setting("primary_conninfo", "host=" + primaryServer.host() + " port=" + primaryServer.port()
                            + " user=" + primaryServer.superuser() + " password=" + primaryServer.superuserPassword()
                            + " application_name=" + name)
                    .setting("primary_slot_name", name)
                    .tradeDurabilityForSpeed();
            standby.primarySettings().forEach(builder::setting);
            standby.server = builder.start();
            return standby;
        } catch (SQLException | IOException | RuntimeException e) {
            standby.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public LocalPostgres server() {
        return server;
    }

    /** The backup must start and stop in one session. */
    private void copyFrom(LocalPostgres primaryServer) throws SQLException, IOException {
        try (Connection connection = primary.openJdbc(); Statement statement = connection.createStatement()) {
            boolean before15 = versionNumber(statement) < 150000;
            statement.execute(before15 ? "SELECT pg_start_backup('" + name + "', true, false)"
                    : "SELECT pg_backup_start('" + name + "', true)");
            copyFolder(primaryServer.dataDirectory(), dataDirectory);
            try (ResultSet stop = statement.executeQuery(before15
                    ? "SELECT labelfile FROM pg_stop_backup(false, false)"
                    : "SELECT labelfile FROM pg_backup_stop(false)")) {
                stop.next();
                Files.writeString(dataDirectory.resolve("backup_label"), stop.getString(1));
            }
        }
    }

    private Map<String, String> primarySettings() throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>();
        try (Connection connection = primary.openJdbc(); Statement statement = connection.createStatement()) {
            for (String setting : AT_LEAST_THE_PRIMARYS) {
                try (ResultSet result = statement.executeQuery("SELECT current_setting('" + setting + "')")) {
                    result.next();
                    settings.put(setting, result.getString(1));
                }
            }
        }
        return settings;
    }

    private static int versionNumber(Statement statement) throws SQLException {
        try (ResultSet result = statement.executeQuery("SELECT current_setting('server_version_num')::int")) {
            result.next();
            return result.getInt(1);
        }
    }

    /** Files the running server removes while the copy walks past them are left out, as the backup allows. */
    private static void copyFolder(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(folder).toString()));
                boolean emptied = folder.getParent() != null && folder.getParent().equals(from)
                        && EMPTIED_FOLDERS.contains(folder.getFileName().toString());
                return emptied ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!(file.getParent().equals(from) && SKIPPED_FILES.contains(file.getFileName().toString()))) {
                    try {
                        Files.copy(file, to.resolve(from.relativize(file).toString()),
                                StandardCopyOption.REPLACE_EXISTING);
                    } catch (NoSuchFileException gone) {
                        // removed since the walk listed it
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                if (failure instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw failure;
            }
        });
        Files.createDirectories(to.resolve("pg_wal").resolve("archive_status"));
    }

    @Override
    public void close() throws SQLException, IOException {
        if (server != null) {
            server.close();
        }
        try (Stream<Path> paths = Files.walk(dataDirectory)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
        dropSlot();
    }

    /** The primary's walsender lets go of the slot a moment after the standby stopped. */
    private void dropSlot() throws SQLException {
        long deadline = System.nanoTime() + SLOT_RELEASE_TIMEOUT.toNanos();
        while (true) {
            try (Connection connection = primary.openJdbc(); Statement statement = connection.createStatement();
                    ResultSet ignored = statement.executeQuery("SELECT pg_drop_replication_slot(slot_name)"
                            + " FROM pg_replication_slots WHERE slot_name = '" + name + "'")) {
                return;
            } catch (SQLException e) {
                if (!OBJECT_IN_USE.equals(e.getSQLState()) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while dropping slot " + name, e);
            }
        }
    }

    private static void query(ConnectionTarget where, String sql) throws SQLException {
        try (Connection connection = where.openJdbc(); Statement statement = connection.createStatement();
                ResultSet ignored = statement.executeQuery(sql)) {
            // the result is of no interest
        }
    }
}
