package io.exodus.it.regress;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.exodus.testsupport.ConnectionTarget;

/**
 * Exodus' catch-up queue of one database ({@code exodus.replay_queue} on the source, docs/replay.md), watched from
 * outside: until nothing waits any more, every entry applied or parked.
 */
final class CatchUpQueue {

    private static final long POLL_MILLIS = 1_000;
    private static final int PARKED_ERROR_KINDS = 15;
    // Quoted names and numbers vary per entry; without them, errors of one kind count together.
    private static final String PARKED_BY_ERROR = "SELECT regexp_replace(regexp_replace(coalesce(last_error, '?'),"
            + " '\"[^\"]*\"', '\"…\"', 'g'), '[0-9]+', 'N', 'g'), count(*) FROM exodus.replay_queue"
            + " WHERE state <> 'queued' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT " + PARKED_ERROR_KINDS;

    private CatchUpQueue() {
    }

    /**
     * What the queue holds once settled.
     *
     * @param waiting        entries still to apply (0 once settled)
     * @param parked         entries the target refused and the replayer set aside
     * @param parkedByError  the commonest kinds of errors of parked entries, with their counts
     * @param took           how long the queue took to settle after the workload
     */
    record Settled(long waiting, long parked, Map<String, Long> parkedByError, Duration took) {
    }

    /** Waits until no entry waits; a queue still not settled after the timeout fails the test with its depth. */
    static Settled awaitSettled(ConnectionTarget sourceDatabase, Duration timeout) throws SQLException,
            InterruptedException {
        long started = System.nanoTime();
        try (Connection connection = sourceDatabase.openJdbc(); Statement statement = connection.createStatement()) {
            if (!exists(statement)) {
                return new Settled(0, 0, Map.of(), Duration.ZERO);
            }
            long waiting;
            while ((waiting = count(statement, "state = 'queued'")) > 0) {
                if (System.nanoTime() - started > timeout.toNanos()) {
                    throw new AssertionError("The catch-up queue of " + sourceDatabase.database() + " still holds "
                            + waiting + " entries " + timeout.toSeconds() + " s after the suite ended");
                }
                Thread.sleep(POLL_MILLIS);
            }
            Map<String, Long> parkedByError = new LinkedHashMap<>();
            try (ResultSet rows = statement.executeQuery(PARKED_BY_ERROR)) {
                while (rows.next()) {
                    parkedByError.put(rows.getString(1), rows.getLong(2));
                }
            }
            return new Settled(0, count(statement, "state <> 'queued'"), parkedByError,
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private static boolean exists(Statement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery("SELECT to_regclass('exodus.replay_queue') IS NOT NULL")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    private static long count(Statement statement, String condition) throws SQLException {
        try (ResultSet row = statement.executeQuery("SELECT count(*) FROM exodus.replay_queue WHERE " + condition)) {
            row.next();
            return row.getLong(1);
        }
    }
}
