package io.exodus.proxy.verify;

import io.exodus.proxy.catchup.CatchUpQueueSql;

/**
 * The tables that keep a verification's finished ranges, on the source in the database verified, in Exodus' own
 * schema (which verification leaves out): a verification that a restart (or a lost database) interrupted is continued
 * from them by the next one of the same tables. Only the last run is kept. Beside them the divergence marks, which a
 * verification that finds a table different writes.
 */
final class ProgressSql {
    /** The advisory lock serialises proxies creating the tables at once, as the catch-up queue's creation does. */
    static final String CREATE = """
            SET LOCAL client_min_messages = warning;
            SELECT pg_advisory_xact_lock(hashtext('exodus.verification_runs'));
            CREATE SCHEMA IF NOT EXISTS exodus;
            CREATE TABLE IF NOT EXISTS exodus.verification_runs (
                run_id text PRIMARY KEY,
                tables text[] NOT NULL,
                started_at timestamptz NOT NULL DEFAULT statement_timestamp(),
                finished_at timestamptz);
            CREATE TABLE IF NOT EXISTS exodus.verification_progress (
                run_id text NOT NULL REFERENCES exodus.verification_runs ON DELETE CASCADE,
                table_name text NOT NULL,
                state text NOT NULL,
                resume_from text[],
                started_at text,
                source_rows bigint,
                target_rows bigint,
                rows_checked bigint NOT NULL,
                missing bigint NOT NULL,
                extra bigint NOT NULL,
                different bigint NOT NULL,
                settled bigint NOT NULL,
                examples jsonb NOT NULL,
                saved_at timestamptz NOT NULL DEFAULT statement_timestamp(),
                PRIMARY KEY (run_id, table_name));
            """ + CatchUpQueueSql.DIVERGENT_TABLES_CREATE;

    /** The last run of exactly these tables, in this order, that did not finish. */
    static final String UNFINISHED = """
            SELECT run_id FROM exodus.verification_runs
            WHERE finished_at IS NULL AND tables = $1::text[]
            ORDER BY started_at DESC LIMIT 1""";

    static final String START = "INSERT INTO exodus.verification_runs (run_id, tables) VALUES ($1, $2::text[])";

    /** Earlier runs, and their progress: nothing continues them any more. */
    static final String FORGET_OTHERS = "DELETE FROM exodus.verification_runs WHERE run_id <> $1";

    static final String LOAD = """
            SELECT table_name, state, resume_from, started_at, source_rows, target_rows, rows_checked, missing,
                   extra, different, settled, examples::text
            FROM exodus.verification_progress WHERE run_id = $1""";

    static final String SAVE = """
            INSERT INTO exodus.verification_progress (run_id, table_name, state, resume_from, started_at, source_rows,
                target_rows, rows_checked, missing, extra, different, settled, examples)
            VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9, $10, $11, $12, $13::text::jsonb)
            ON CONFLICT (run_id, table_name) DO UPDATE SET state = excluded.state,
                resume_from = excluded.resume_from, started_at = excluded.started_at,
                source_rows = excluded.source_rows, target_rows = excluded.target_rows,
                rows_checked = excluded.rows_checked, missing = excluded.missing, extra = excluded.extra,
                different = excluded.different, settled = excluded.settled, examples = excluded.examples,
                saved_at = statement_timestamp()""";

    static final String FINISH = "UPDATE exodus.verification_runs SET finished_at = statement_timestamp() WHERE run_id = $1";

    private ProgressSql() {
    }
}
