package io.exodus.proxy.catchup;

import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * The queue's tables and statements. The queue, {@code exodus.replay_queue}, lives in each database clients write
 * to, on the primary: an entry is inserted inside the client's own transaction, just before its COMMIT, so it exists
 * exactly when the primary committed. Its id comes from the table's sequence at that moment, after the transaction
 * took all its row locks; two transactions that wrote the same row therefore get ids in the order the primary
 * committed them, and the replayer applies entries in id order. The id is drawn on one of the proxy's own
 * connections ({@link #NEXT_ID}), never in the client's session, where {@code nextval} would change what the client's
 * {@code lastval()} answers. The marker table {@code exodus.replay_applied} lives in the
 * same database on the secondary: the replayer writes the entry's id there inside the transaction that applies it,
 * so that an entry applied just before a crash is not applied twice.
 */
public final class CatchUpQueueSql {
    public static final String QUEUE_EXISTS = "SELECT to_regclass('exodus.replay_queue') IS NOT NULL";
    /**
     * The tables a database's catch-up keeps, and a verification that found a table different marks too: a database
     * may have marks without a queue (verified, never dual-written by a proxy that queued).
     */
    static final String STATE_TABLES = "SELECT to_regclass('exodus.replay_queue') IS NOT NULL, "
            + "to_regclass('exodus.divergent_tables') IS NOT NULL";
    /**
     * The tables marked divergent in a database, and why: by catch-up (a transaction one database may lack) or by a
     * verification that found them different. Each holds a move of the primary back until a verification finds it
     * identical. Created with the queue, or by a verification.
     */
    public static final String DIVERGENT_TABLES_CREATE = """
            CREATE TABLE IF NOT EXISTS exodus.divergent_tables (
                table_name text PRIMARY KEY,
                reason text NOT NULL,
                marked_at timestamptz NOT NULL DEFAULT statement_timestamp())""";
    /** The marks of a database without a queue: as {@link #QUEUE_STATE}, holding no entry. */
    static final String MARKS_STATE = """
            SELECT false, ARRAY(SELECT table_name FROM exodus.divergent_tables
                                WHERE pg_catalog.to_regclass(table_name) IS NOT NULL ORDER BY 1)""";
    /**
     * Whether an existing queue holds an entry, queued or parked, and the tables marked divergent that still exist (a
     * mark on a table dropped since is moot): both decide whether the primary may move.
     */
    static final String QUEUE_STATE = """
            SELECT EXISTS (SELECT 1 FROM exodus.replay_queue),
                   ARRAY(SELECT table_name FROM exodus.divergent_tables
                         WHERE pg_catalog.to_regclass(table_name) IS NOT NULL ORDER BY 1)""";

    /*
     * role_name comes from the column default (session_user of the client's own connection) and PUBLIC may not
     * set it: an entry always replays under the role that wrote it. The advisory lock serialises proxies creating
     * the table at once (see CommitDecisionLog).
     */
    public static final String CREATE_QUEUE = """
            SELECT pg_advisory_xact_lock(hashtext('exodus.replay_queue'));
            CREATE SCHEMA IF NOT EXISTS exodus;
            CREATE TABLE IF NOT EXISTS exodus.replay_queue (
                id bigserial PRIMARY KEY,
                enqueued_at timestamptz NOT NULL DEFAULT statement_timestamp(),
                role_name text NOT NULL DEFAULT session_user,
                proxy_id text NOT NULL,
                context text NOT NULL,
                stream bytea NOT NULL,
                ready_count int NOT NULL,
                expected_tags text[] NOT NULL,
                commit_marker bigint,
                tables text[] NOT NULL DEFAULT '{}',
                signature bytea NOT NULL,
                state text NOT NULL DEFAULT 'queued',
                attempts int NOT NULL DEFAULT 0,
                next_attempt_at timestamptz,
                last_error text);
            CREATE INDEX IF NOT EXISTS replay_queue_queued ON exodus.replay_queue (id) WHERE state = 'queued';
            """ + DIVERGENT_TABLES_CREATE + """
            ;
            GRANT USAGE ON SCHEMA exodus TO PUBLIC;
            GRANT INSERT (id, proxy_id, context, stream, ready_count, expected_tags, commit_marker, signature, tables)
                ON exodus.replay_queue TO PUBLIC""";

    /** Queues made before entries carried their id (session 12) let sessions insert the id too. */
    public static final String GRANT_ID = "GRANT INSERT (id) ON exodus.replay_queue TO PUBLIC";

    /** An entry's id, drawn by the proxy just before the session's INSERT (see the class comment). */
    public static final String NEXT_ID = "SELECT nextval('exodus.replay_queue_id_seq')";

    /*
     * On the secondary. replay_applied: the replayer's proof that an entry was applied. commit_markers: written by a
     * live transaction in the same query as its COMMIT on the secondary (by the client's role, hence the grant), so
     * that a COMMIT whose answer was lost can be told apart: marker there, it committed.
     */
    public static final String CREATE_MARKERS = """
            SELECT pg_advisory_xact_lock(hashtext('exodus.replay_applied'));
            CREATE SCHEMA IF NOT EXISTS exodus;
            CREATE TABLE IF NOT EXISTS exodus.replay_applied (
                queue_id bigint PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT statement_timestamp());
            CREATE TABLE IF NOT EXISTS exodus.commit_markers (
                id bigint PRIMARY KEY,
                created_at timestamptz NOT NULL DEFAULT statement_timestamp());
            CREATE INDEX IF NOT EXISTS commit_markers_created_at ON exodus.commit_markers (created_at);
            ALTER TABLE exodus.commit_markers ADD COLUMN IF NOT EXISTS primary_xid bigint,
                ADD COLUMN IF NOT EXISTS tables text[];
            GRANT USAGE ON SCHEMA exodus TO PUBLIC;
            GRANT INSERT (id, primary_xid, tables) ON exodus.commit_markers TO PUBLIC""";

    /** Both tables, the markers with the columns that name the primary's transaction (added in session 22). */
    public static final String MARKERS_EXIST = """
            SELECT to_regclass('exodus.replay_applied') IS NOT NULL
                AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('exodus.commit_markers')
                            AND attname = 'tables' AND NOT attisdropped)""";

    /**
     * Markers of live COMMITs are needed only until a queue entry that refers to one has been replayed, and, when they
     * name the primary's transaction, until {@link CommitOutcomes} has read its outcome.
     */
    public static final String PURGE_COMMIT_MARKERS = """
            DELETE FROM exodus.commit_markers
            WHERE created_at < statement_timestamp() - interval '2 minutes' AND id <> ALL($1)
              AND primary_xid IS NULL""";

    public static final String REFERENCED_MARKERS =
            "SELECT commit_marker FROM exodus.replay_queue WHERE commit_marker IS NOT NULL";

    /**
     * Whether the primary can say what became of a transaction by its id ({@code txid_status}, PostgreSQL 10). The
     * deprecated txid names, not pg_current_xact_id: they exist from 10 to 17 alike, with the same 64-bit values.
     */
    public static final String OUTCOMES_READABLE = "SELECT to_regprocedure('txid_status(bigint)') IS NOT NULL"
            + " AND to_regprocedure('txid_current_if_assigned()') IS NOT NULL";

    /**
     * The primary's id of the session's transaction, and whether it is read-only (no marker then: the secondary's
     * transaction is read-only too), read inside it just before the secondary's COMMIT. Never
     * {@code txid_current()}: it would give a transaction that has none an id, which a read-only transaction refuses
     * (one that wrote only a temporary table has one). NULL: the primary's transaction wrote nothing, its COMMIT
     * changes nothing there, and the marker names no transaction.
     */
    public static final String PRIMARY_XID =
            "SELECT txid_current_if_assigned(), current_setting('transaction_read_only') = 'on'";

    /**
     * Whether the session's transaction is read-only, on a primary that cannot tell a transaction's outcome: such a
     * transaction writes nothing durable, and its secondary's part would refuse the marker's INSERT.
     */
    public static final String PRIMARY_READ_ONLY = "SELECT NULL, current_setting('transaction_read_only') = 'on'";

    /**
     * What a live transaction's COMMIT on the secondary becomes: its marker, then the COMMIT. With the primary's
     * transaction id and the tables it wrote (null: not known), should the primary not commit after all (the proxy stopped between the
     * two COMMITs), {@link CommitOutcomes} finds the transaction the secondary alone has.
     */
    public static String commitWithMarker(long marker, Long primaryXid, Collection<String> tables) {
        if (primaryXid == null) {
            return "INSERT INTO exodus.commit_markers (id) VALUES (" + marker + ");\nCOMMIT";
        }
        StringBuilder sql = new StringBuilder(128).append("INSERT INTO exodus.commit_markers (id, primary_xid, tables) "
                + "VALUES (").append(marker).append(", ").append(primaryXid).append(", ");
        // NULL: the tables are not known (a policy that records no statements).
        (tables == null ? sql.append("NULL") : appendTextArray(sql, tables)).append(");\nCOMMIT");
        return sql.toString();
    }

    /** The most markers one read of {@link #UNRESOLVED_MARKERS} takes. */
    static final int MARKERS_PER_READ = 10_000;

    /** Markers whose primary transaction's outcome is still to be read, oldest first. */
    static final String UNRESOLVED_MARKERS = """
            SELECT id, primary_xid, tables FROM exodus.commit_markers WHERE primary_xid IS NOT NULL
            ORDER BY primary_xid LIMIT\s""" + MARKERS_PER_READ;

    /*
     * On the primary. An id at or past the snapshot's xmax (one past the latest transaction to end, not the next id to
     * hand out) may belong to a transaction still running: it is read again later, never asked, since txid_status
     * raises an error for an id not handed out yet (a marker written against another server). NULL, too old to know,
     * is "unknown".
     */
    static final String OUTCOMES = """
            SELECT x, CASE WHEN x >= txid_snapshot_xmax(txid_current_snapshot()) THEN 'in progress'
                           ELSE coalesce(txid_status(x), 'unknown') END
            FROM unnest($1::bigint[]) AS x""";

    static final String FORGET_COMMIT_MARKERS = "DELETE FROM exodus.commit_markers WHERE id = ANY($1) RETURNING id";

    /** A committed transaction's marker that a queue entry still refers to: kept for the replayer, outcome read. */
    static final String OUTCOME_READ = "UPDATE exodus.commit_markers SET primary_xid = NULL WHERE id = ANY($1)";

    public static final String DEPTH = """
            SELECT count(*) FILTER (WHERE state = 'queued'),
                   count(*) FILTER (WHERE state <> 'queued'),
                   extract(epoch FROM statement_timestamp() - min(enqueued_at) FILTER (WHERE state = 'queued'))
            FROM exodus.replay_queue""";

    public static final String NEXT_BATCH = """
            SELECT id, role_name, context, stream, ready_count, expected_tags, commit_marker, signature, attempts, tables,
                   greatest(0, extract(epoch FROM next_attempt_at - statement_timestamp()))
            FROM exodus.replay_queue WHERE state = 'queued' ORDER BY id LIMIT $1""";

    public static final String DELETE_APPLIED = "DELETE FROM exodus.replay_queue WHERE id = ANY($1)";

    public static final String RETRY_LATER = """
            UPDATE exodus.replay_queue SET attempts = attempts + 1, last_error = $2,
                next_attempt_at = statement_timestamp() + make_interval(secs => $3)
            WHERE id = $1""";

    public static final String PARK = """
            UPDATE exodus.replay_queue SET attempts = attempts + 1, last_error = $2, state = 'failed' WHERE id = $1""";

    public static final String MARK_DIVERGENT = """
            INSERT INTO exodus.divergent_tables (table_name, reason) VALUES ($1, $2)
            ON CONFLICT (table_name) DO UPDATE SET reason = excluded.reason, marked_at = excluded.marked_at""";

    public static final String DIVERGENT_TABLES = "SELECT table_name FROM exodus.divergent_tables ORDER BY 1";

    public static final String APPLIED_AMONG = "SELECT queue_id FROM exodus.replay_applied WHERE queue_id = ANY($1)";

    public static final String FORGET_MARKERS = "DELETE FROM exodus.replay_applied WHERE queue_id = ANY($1)";

    /**
     * On the secondary, inside a pipelined entry's transaction, after its statements and before its marker and COMMIT
     * (see {@link PipelinedApply}): raises unless the entry ahead of it committed its apply, so that a pipeline never
     * commits an entry after one that failed. A DO block, not a function: it needs nothing on the secondary besides the marker table.
     */
    static String appliedBefore(long predecessor) {
        return "DO $exodus$ BEGIN IF NOT EXISTS (SELECT 1 FROM exodus.replay_applied WHERE queue_id = " + predecessor
                + ") THEN RAISE EXCEPTION 'queued transaction " + predecessor + " was not applied: the ones behind it "
                + "wait for it'; END IF; END $exodus$";
    }

    /**
     * How a pipelined entry commits on the secondary: without waiting for its WAL to reach the disk, which the
     * pipeline's {@link #FLUSH_APPLIES} does once for all its entries. Last before the COMMIT, so that it holds
     * whatever the entry's context and statements set.
     */
    static final String COMMIT_WITHOUT_FLUSH = "SET LOCAL synchronous_commit = off;\nCOMMIT";

    /**
     * Closes a pipeline on the secondary: a transaction with an id, committed under the session's own
     * {@code synchronous_commit}, waits for the WAL up to its commit record, which holds every commit before it on
     * that server. Once it answers, the pipeline's applies are as durable as a COMMIT there makes anything, and their
     * entries may leave the queue. Also run after reading markers a lost connection may have left unflushed.
     */
    static final String FLUSH_APPLIES = "SELECT txid_current()";

    /** Markers whose entries are long gone (a crash between deleting an entry and its marker leaves one behind). */
    public static final String PURGE_OLD_MARKERS =
            "DELETE FROM exodus.replay_applied WHERE applied_at < statement_timestamp() - interval '1 day'";

    /**
     * The replayer's exclusive right to the queue of database $1, held by its session for as long as it replays. Taken
     * in the database the source's URL names, not in the replayed one: a lock there showed in that database's
     * {@code pg_locks}, which its sessions would not see directly.
     */
    public static final String TRY_LOCK =
            "SELECT pg_try_advisory_lock(hashtext('exodus.replay_queue.replayer'), hashtext($1))";

    /** Gives up {@link #TRY_LOCK}'s lock of database $1 (its replay stopped). */
    public static final String UNLOCK =
            "SELECT pg_advisory_unlock(hashtext('exodus.replay_queue.replayer'), hashtext($1))";

    private CatchUpQueueSql() {
    }

    /**
     * The INSERT a session runs inside its transaction, as literal text so that it travels in the same simple query
     * as the COMMIT: escaped with E'' strings and hex bytes, which mean the same whatever
     * {@code standard_conforming_strings} says. The entry's role is the column default: the session's user.
     */
    public static String insert(long id, String proxyId, String context, byte[] stream, int readyCount,
            List<String> expectedTags, Long commitMarker, byte[] signature, Collection<String> tables) {
        StringBuilder sql = new StringBuilder(stream.length * 2 + 512);
        sql.append("INSERT INTO exodus.replay_queue (id, proxy_id, context, stream, ready_count, expected_tags,"
                + " commit_marker, signature, tables) VALUES (").append(id).append(", ");
        appendText(sql, proxyId).append(", ");
        appendText(sql, context).append(", ");
        appendBytes(sql, stream).append(", ").append(readyCount).append(", ARRAY[");
        for (int i = 0; i < expectedTags.size(); i++) {
            if (i > 0) {
                sql.append(", ");
            }
            appendText(sql, expectedTags.get(i));
        }
        sql.append("]::text[], ").append(commitMarker == null ? "NULL" : Long.toString(commitMarker)).append(", ");
        appendBytes(sql, signature).append(", ");
        appendTextArray(sql, tables).append(")");
        return sql.toString();
    }

    private static StringBuilder appendTextArray(StringBuilder sql, Collection<String> texts) {
        sql.append("ARRAY[");
        int n = 0;
        for (String text : texts) {
            if (n++ > 0) {
                sql.append(", ");
            }
            appendText(sql, text);
        }
        return sql.append("]::text[]");
    }

    static StringBuilder appendText(StringBuilder sql, String text) {
        sql.append("E'");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'' || c == '\\') {
                sql.append(c);
            }
            sql.append(c);
        }
        return sql.append('\'');
    }

    private static StringBuilder appendBytes(StringBuilder sql, byte[] bytes) {
        return sql.append("decode('").append(HexFormat.of().formatHex(bytes)).append("', 'hex')");
    }
}
