package io.exodus.analyzer.shadow;

import java.util.List;

/** What one database answered to one replayed statement, and how long it took. */
public sealed interface Outcome permits Outcome.Rows, Outcome.Failed {

    /** Time from sending the statement to its last answer, µs. */
    long micros();

    /**
     * A result.
     *
     * @param rows      each row's values: {@code null}, a {@link Double} for floating-point columns, else the value's
     *                  text; empty when {@code truncated}
     * @param count     rows returned
     * @param truncated more rows than exodus.analyzer.shadow.max-rows: compared by count and columns only
     */
    record Rows(List<Column> columns, List<List<Object>> rows, long count, boolean truncated, long micros)
            implements Outcome {
    }

    /**
     * An error.
     *
     * @param sqlstate the server's SQLSTATE; null when the replay itself failed (connection lost, say), which is no
     *                 answer of the database and so never compared
     */
    record Failed(String sqlstate, String message, long micros) implements Outcome {

        boolean fromDatabase() {
            return sqlstate != null;
        }
    }
}
