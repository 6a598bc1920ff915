package io.exodus.proxy.dualwrite;

import io.exodus.proxy.catchup.CatchUpQueueSql;
import io.exodus.proxy.migration.Side;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.TestDatabases;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds the replay of one database's queue as another proxy would (the replayers' advisory lock on the primary, whose
 * queue it is), so a test decides when the queue drains instead of racing the replayer. Closing it hands the replay
 * back.
 */
public final class CatchUpLockHolder implements AutoCloseable {
    /**
     * The replayer keeps its locks on a connection of its own, in the database the source URL names (the default
     * one in these tests); ending that connection is what a proxy's death does.
     */
    private static final String END_OTHER_HOLDERS = """
            SELECT pg_terminate_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND objsubid = 2
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid::bigint = (hashtext('exodus.replay_queue.replayer')::bigint & 4294967295)
              AND objid::bigint = (hashtext(?)::bigint & 4294967295)""";

    private final Connection connection;

    private CatchUpLockHolder(Connection connection) {
        this.connection = connection;
    }

    public static CatchUpLockHolder take(String database) throws SQLException, InterruptedException {
        Connection connection = ConnectionTarget.superuser(
                DualWriteDatabases.primarySide() == Side.SOURCE ? TestDatabases.source() : TestDatabases.target())
                .openJdbc();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (PreparedStatement lock = connection.prepareStatement(CatchUpQueueSql.TRY_LOCK.replace("$1", "?"));
                PreparedStatement endOthers = connection.prepareStatement(END_OTHER_HOLDERS)) {
            lock.setString(1, database);
            endOthers.setString(1, database);
            while (!locked(lock)) {
                assertTrue(System.nanoTime() < deadline, "could not take the replay lock of " + database);
                endOthers.execute();
                Thread.sleep(50);
            }
        } catch (SQLException | InterruptedException | Error failure) {
            connection.close();
            throw failure;
        }
        return new CatchUpLockHolder(connection);
    }

    private static boolean locked(PreparedStatement lock) throws SQLException {
        try (ResultSet held = lock.executeQuery()) {
            held.next();
            return held.getBoolean(1);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
