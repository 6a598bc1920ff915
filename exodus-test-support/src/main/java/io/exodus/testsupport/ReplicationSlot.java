package io.exodus.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import io.exodus.localpg.LocalPostgres;

/**
 * A logical replication slot (plugin pgoutput) that nobody reads, as a forgotten one would be: it keeps every WAL
 * byte written after it on the server's disk. Close it in a finally block; the servers are shared, and a slot left
 * behind keeps their WAL for good.
 */
public final class ReplicationSlot implements AutoCloseable {
    /**
     * Creating a logical slot (a subscription creates one too) waits until every transaction open on the server
     * ends, prepared ones included: a test that left one behind gets an error after a minute instead of a hang.
     */
    static final Properties BOUNDED = new Properties();

    static {
        BOUNDED.setProperty("options", "-c statement_timeout=60s");
    }

    private final ConnectionTarget server;
    private final String name;

    private ReplicationSlot(ConnectionTarget server, String name) {
        this.server = server;
        this.name = name;
    }

    /** @param name a lower-case SQL identifier */
    public static ReplicationSlot createLogical(LocalPostgres server, String name) throws SQLException {
        ReplicationSlot slot = new ReplicationSlot(ConnectionTarget.superuser(server), name);
        slot.query("SELECT pg_create_logical_replication_slot('" + name + "', 'pgoutput')");
        return slot;
    }

    public String name() {
        return name;
    }

    /** Writes a little WAL (a logical decoding message, outside any transaction) that the slot must keep. */
    public void writeWal() throws SQLException {
        query("SELECT pg_logical_emit_message(false, 'exodus-test', repeat('x', 1000))");
    }

    @Override
    public void close() throws SQLException {
        query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + name + "'");
    }

    private void query(String sql) throws SQLException {
        try (Connection connection = server.openJdbc(BOUNDED); Statement statement = connection.createStatement();
                ResultSet ignored = statement.executeQuery(sql)) {
            // the result is of no interest
        }
    }
}
