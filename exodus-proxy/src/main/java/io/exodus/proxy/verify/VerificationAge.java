package io.exodus.proxy.verify;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a database's last verification is recent and whole: finished within an age, and covering every table the
 * database has now. The cutover's gate {@code exodus.migration.cutover.max-verification-age} asks it of every database
 * of the source, where verifications keep their runs ({@code exodus.verification_runs}, the last run only).
 */
public final class VerificationAge {
    private static final String RUNS_EXIST = "SELECT pg_catalog.to_regclass('exodus.verification_runs') IS NOT NULL";
    private static final String TABLE_COUNT = "SELECT count(*) FROM (" + TableCatalog.APPLICATION_TABLES + ") t";
    /** The last finished run's age in seconds (null: none), and the tables it did not cover. */
    private static final String LAST_RUN = """
            WITH last AS (SELECT finished_at, tables FROM exodus.verification_runs WHERE finished_at IS NOT NULL
                          ORDER BY finished_at DESC LIMIT 1)
            SELECT (SELECT extract(epoch FROM pg_catalog.statement_timestamp() - finished_at)::float8 FROM last),
                   ARRAY(SELECT t.nspname || '.' || t.relname FROM (""" + TableCatalog.APPLICATION_TABLES + """
                         ) t WHERE t.oid <> ALL (coalesce((SELECT pg_catalog.array_agg(pg_catalog.to_regclass(name))
                                                           FROM last, unnest(last.tables) name), '{}'))
                         ORDER BY 1)""";

    private VerificationAge() {
    }

    /** What keeps the database's last verification from counting (never, too old, tables left out); empty if none. */
    public static Future<Optional<String>> problem(SqlClient database, String name, Duration maxAge) {
        return database.query(RUNS_EXIST).execute().compose(exists -> exists.iterator().next().getBoolean(0)
                ? database.query(LAST_RUN).execute().map(rows -> judge(rows.iterator().next(), name, maxAge))
                : database.query(TABLE_COUNT).execute().map(rows -> rows.iterator().next().getLong(0) == 0
                        ? Optional.<String>empty() : Optional.of(name + " (never verified)")));
    }

    private static Optional<String> judge(Row last, String name, Duration maxAge) {
        Double seconds = last.getDouble(0);
        List<String> uncovered = List.of(last.getArrayOfStrings(1));
        if (seconds == null) {
            return uncovered.isEmpty() ? Optional.empty() : Optional.of(name + " (never verified to the end)");
        }
        List<String> problems = new ArrayList<>();
        if (seconds * 1000 > maxAge.toMillis()) {
            problems.add(String.format(Locale.ROOT, "last verified %.1f h ago", seconds / 3600));
        }
        if (!uncovered.isEmpty()) {
            problems.add(uncovered.size() + " tables not in its last verification: " + String.join(", ",
                    uncovered.subList(0, Math.min(5, uncovered.size()))) + (uncovered.size() > 5 ? ", …" : ""));
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(name + " (" + String.join("; ", problems) + ")");
    }
}
