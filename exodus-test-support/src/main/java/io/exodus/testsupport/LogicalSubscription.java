package io.exodus.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import io.exodus.localpg.LocalPostgres;

/**
 * Real logical replication between the test servers: the target subscribes to a table of the source, so that the
 * source has a replication connection in {@code pg_stat_replication} and an active slot in
 * {@code pg_replication_slots}. Publisher and subscriber live in a database of their own on each server, named after
 * the subscription, so that nothing another test writes is replicated. {@link #close()} drops the subscription (and
 * with it the slot, which would otherwise keep the source's WAL for good), the publication and both databases.
 */
public final class LogicalSubscription implements AutoCloseable {
    private static final Duration REPLICATION_TIMEOUT = Duration.ofSeconds(30);
    private static final String TABLE = "replicated";

    private final String name;
    private final ConnectionTarget source;
    private final ConnectionTarget target;
    private int rows;

    private LogicalSubscription(String name, ConnectionTarget source, ConnectionTarget target) {
        this.name = name;
        this.source = source;
        this.target = target;
    }

    /**
     * Subscribes the shared target to the shared source; returns once the subscription exists (its worker connects
     * to the source shortly after).
     *
     * @param name a lower-case SQL identifier: the subscription's, its slot's, publication's and databases' name
     */
    public static LogicalSubscription start(String name) throws SQLException {
        LocalPostgres sourceServer = TestDatabases.source();
        LogicalSubscription subscription = new LogicalSubscription(name,
                ConnectionTarget.superuser(sourceServer).withDatabase(name),
                ConnectionTarget.superuser(TestDatabases.target()).withDatabase(name));
        try {
            for (ConnectionTarget side : List.of(subscription.source, subscription.target)) {
                execute(side.withDatabase(TestUsers.DEFAULT_DATABASE), "CREATE DATABASE " + name);
                execute(side, "CREATE TABLE " + TABLE + " (id int PRIMARY KEY)");
            }
            execute(subscription.source, "CREATE PUBLICATION " + name + " FOR TABLE " + TABLE);
            String publisher = "host=" + sourceServer.host() + " port=" + sourceServer.port() + " dbname=" + name
                    + " user=" + sourceServer.superuser() + " password=" + sourceServer.superuserPassword();
            execute(subscription.target, "CREATE SUBSCRIPTION " + name + " CONNECTION '" + publisher
                    + "' PUBLICATION " + name);
        } catch (SQLException | RuntimeException e) {
            subscription.close();
            throw e;
        }
        return subscription;
    }

    public String name() {
        return name;
    }

    /** Inserts a row on the source and waits until the target has it: the subscriber has applied and confirmed it. */
    public void replicateOneRow() throws SQLException, InterruptedException {
        int id = ++rows;
        execute(source, "INSERT INTO " + TABLE + " VALUES (" + id + ")");
        long deadline = System.nanoTime() + REPLICATION_TIMEOUT.toNanos();
        while (!targetHas(id)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Row " + id + " did not reach the target's " + TABLE + " within "
                        + REPLICATION_TIMEOUT.toSeconds() + " s: is subscription " + name + " running?");
            }
            Thread.sleep(100);
        }
    }

    private boolean targetHas(int id) throws SQLException {
        try (Connection connection = target.openJdbc(ReplicationSlot.BOUNDED); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM " + TABLE + " WHERE id = " + id)) {
            return result.next() && result.getInt(1) == 1;
        }
    }

    /** Drops what {@link #start} created and exists; the subscription first, so that its slot on the source goes. */
    @Override
    public void close() throws SQLException {
        ConnectionTarget targetServer = target.withDatabase(TestUsers.DEFAULT_DATABASE);
        ConnectionTarget sourceServer = source.withDatabase(TestUsers.DEFAULT_DATABASE);
        if (exists(targetServer, "SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            execute(target, "DROP SUBSCRIPTION IF EXISTS " + name);
        }
        // The slot outlives a subscription whose drop could not reach the source.
        if (exists(sourceServer, "SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + name + "'")) {
            execute(sourceServer, "SELECT pg_drop_replication_slot('" + name + "')");
        }
        execute(targetServer, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        execute(sourceServer, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static boolean exists(ConnectionTarget where, String query) throws SQLException {
        try (Connection connection = where.openJdbc(ReplicationSlot.BOUNDED); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            return result.next();
        }
    }

    private static void execute(ConnectionTarget where, String sql) throws SQLException {
        try (Connection connection = where.openJdbc(ReplicationSlot.BOUNDED); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
