package io.exodus.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * One workload client's JDBC connection, made to outlive a database that stops or a proxy that drops it mid-run:
 * every wait is bounded, and after a failure the connection is either rolled back for reuse or dropped, so that the
 * next statement reconnects.
 */
final class WorkloadConnection implements AutoCloseable {

    static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOGIN_TIMEOUT_SECONDS = 10;
    private static final int VALIDATION_TIMEOUT_SECONDS = 5;
    // After losing the connection: a server that is down refuses at once, and without a pause a client would burn
    // through its whole workload in milliseconds.
    private static final long PAUSE_AFTER_LOST_CONNECTION_MILLIS = 50;

    private final ConnectionTarget target;
    private final Properties properties;
    private Connection connection;

    /**
     * @param socketTimeout    the longest wait for any answer from the server; longer than any lock wait
     * @param applicationName  shown in pg_stat_activity, so that a test can find (and terminate) the clients
     * @param extraProperties  further pgJDBC properties, such as preferQueryMode
     */
    WorkloadConnection(ConnectionTarget target, Duration socketTimeout, String applicationName,
            Properties extraProperties) {
        this.target = target;
        this.properties = new Properties();
        properties.setProperty("socketTimeout", String.valueOf(Math.max(1, socketTimeout.toSeconds())));
        properties.setProperty("loginTimeout", String.valueOf(LOGIN_TIMEOUT_SECONDS));
        properties.setProperty("ApplicationName", applicationName);
        properties.putAll(extraProperties);
    }

    /** The open connection, connecting first if there is none (yet, or any more). */
    Connection get() throws SQLException {
        if (connection == null) {
            try {
                connection = target.openJdbc(properties);
            } catch (SQLException e) {
                pause();
                throw e;
            }
        }
        return connection;
    }

    /** After a failed statement: rolls back what is open, or drops the connection when it no longer works. */
    void recover() {
        if (connection == null) {
            return;
        }
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
            if (connection.isValid(VALIDATION_TIMEOUT_SECONDS)) {
                return;
            }
        } catch (SQLException e) {
            // Broken: dropped below.
        }
        close();
        pause();
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Already broken; nothing left to release.
            }
            connection = null;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_AFTER_LOST_CONNECTION_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
