package io.exodus.proxy.sync;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sync's durable progress, in the target's {@code exodus} schema: what was asked, which tables are copied and
 * under which snapshot, and the end of the last transaction of the slot applied. Each fact is written in the same
 * target transaction as the rows it describes (a table's COPY, a round of changes), so the journal and the target's
 * rows cannot disagree after a crash: that is why it lives on the target and not beside the slot on the source
 * (ADR 0031).
 */
final class SyncJournal {
    private static final String CREATE = """
            SELECT pg_advisory_xact_lock(hashtext('exodus.sync_run'));
            CREATE SCHEMA IF NOT EXISTS exodus;
            CREATE TABLE IF NOT EXISTS exodus.sync_run (
                slot text PRIMARY KEY,
                schemas text[] NOT NULL,
                tables text[] NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(),
                applied_lsn pg_lsn
            );
            CREATE TABLE IF NOT EXISTS exodus.sync_copied (
                table_name text PRIMARY KEY,
                snapshot text,
                copied_at timestamptz NOT NULL DEFAULT now()
            );
            ALTER TABLE exodus.sync_run ADD COLUMN IF NOT EXISTS switch_lsn pg_lsn;
            ALTER TABLE exodus.sync_run ADD COLUMN IF NOT EXISTS switch_phase_mark bigint;
            ALTER TABLE exodus.sync_run ADD COLUMN IF NOT EXISTS schema_fingerprint jsonb""";
    private static final String EXISTS = "SELECT to_regclass('exodus.sync_run') IS NOT NULL";
    /** Through to_jsonb: a journal an earlier version wrote has no switch columns, and reads as not switching. */
    private static final String RUN = "SELECT schemas, tables, applied_lsn::text, to_jsonb(r) ->> 'switch_lsn', "
            + "(to_jsonb(r) ->> 'switch_phase_mark')::bigint, to_jsonb(r) ->> 'schema_fingerprint' "
            + "FROM exodus.sync_run r WHERE slot = $1";
    private static final String COPIED = "SELECT table_name, snapshot FROM exodus.sync_copied";

    /**
     * A sync that did not end, as the journal has it.
     *
     * @param copied     per table copied ({@code schema.name}), the snapshot its rows are from
     * @param appliedEnd where the last transaction of the slot applied to the target ends; null when none was
     * @param switchMark  the switch to dual-write the sync had begun; null when it had not
     * @param fingerprint the source's schema when the sync began; null in a journal an earlier version wrote
     */
    record Interrupted(SyncRequest request, Map<String, CopySnapshot> copied, Lsn appliedEnd, SwitchMark switchMark,
            SchemaFingerprint fingerprint) {
    }

    /**
     * A switch to dual-write begun: the target had every transaction that committed before {@code at}, and no session
     * had turned to dual-write yet when this was written.
     *
     * @param phaseMark where the durable record of phase changes stood then (the control state's version); null when
     *                  phases were not durable (the control plane off)
     */
    record SwitchMark(Lsn at, Long phaseMark) {
    }

    private SyncJournal() {
    }

    /** The sync the journal says did not end; empty when there is none. */
    static Future<Optional<Interrupted>> interrupted(Pool target) {
        return target.query(EXISTS).execute().compose(exists -> {
            if (!exists.iterator().next().getBoolean(0)) {
                return Future.succeededFuture(Optional.empty());
            }
            return target.preparedQuery(RUN).execute(Tuple.of(SyncNames.SLOT)).compose(runs -> {
                if (runs.size() == 0) {
                    return Future.succeededFuture(Optional.<Interrupted>empty());
                }
                Row run = runs.iterator().next();
                SyncRequest request = new SyncRequest(List.of(run.getArrayOfStrings(0)),
                        List.of(run.getArrayOfStrings(1)));
                Lsn applied = run.getString(2) == null ? null : Lsn.parse(run.getString(2));
                SwitchMark switchMark = run.getString(3) == null ? null
                        : new SwitchMark(Lsn.parse(run.getString(3)), run.getLong(4));
                SchemaFingerprint fingerprint = run.getString(5) == null ? null
                        : SchemaFingerprint.fromJson(run.getString(5));
                return target.query(COPIED).execute().map(rows -> {
                    Map<String, CopySnapshot> copied = new HashMap<>();
                    rows.forEach(row -> copied.put(row.getString(0), CopySnapshot.parse(row.getString(1))));
                    return Optional.of(new Interrupted(request, copied, applied, switchMark, fingerprint));
                });
            });
        });
    }

    /** The journal's tables, made or brought to this version's columns (a resumed sync's may be older). */
    static Future<Void> create(Pool target) {
        return target.query(CREATE).execute().mapEmpty();
    }

    /** A new sync: whatever an earlier one left is forgotten. Written once the slot exists. */
    static Future<Void> begin(Pool target, SyncRequest request, SchemaFingerprint fingerprint) {
        return create(target)
                .compose(v -> target.withTransaction(connection -> connection.query("DELETE FROM exodus.sync_copied")
                        .execute()
                        .compose(x -> connection.query("DELETE FROM exodus.sync_run").execute())
                        .compose(x -> connection.preparedQuery("INSERT INTO exodus.sync_run (slot, schemas, tables, "
                                + "schema_fingerprint) VALUES ($1, $2, $3, $4::text::jsonb)").execute(Tuple.of(
                                        SyncNames.SLOT, request.schemas().toArray(String[]::new),
                                        request.tables().toArray(String[]::new), fingerprint.toJson())))))
                .mapEmpty();
    }

    /**
     * Records the switch to dual-write as begun, committed before any session turns to dual-write: a sync that finds
     * it after a crash knows the sessions may have, and asks the phase record whether they did (ADR 0035).
     */
    static Future<Void> markSwitch(Pool target, SwitchMark mark) {
        return target.preparedQuery("UPDATE exodus.sync_run SET "
                + "switch_lsn = $2::text::pg_lsn, switch_phase_mark = $3 WHERE slot = $1").execute(Tuple.of(
                        SyncNames.SLOT, mark.at().toString(), mark.phaseMark())).compose(rows -> rows.rowCount() == 1
                                ? Future.<Void>succeededFuture()
                                : Future.failedFuture(new IllegalStateException("the sync's journal on the target "
                                        + "(exodus.sync_run) is gone: the switch is not begun")));
    }

    /** The sync ended (done or failed, its slot dropped): nothing to resume. */
    static Future<Void> end(Pool target) {
        return target.query(EXISTS).execute().compose(exists -> exists.iterator().next().getBoolean(0)
                ? target.query("DELETE FROM exodus.sync_copied; DELETE FROM exodus.sync_run").execute().mapEmpty()
                : Future.<Void>succeededFuture());
    }

    /** The statement, run in the transaction of a table's COPY, that records it copied under {@code snapshot}. */
    static String copiedStatement(SyncedTable table, String snapshot) {
        return "INSERT INTO exodus.sync_copied (table_name, snapshot) VALUES (" + ChangeStatements.literal(
                table.display()) + ", " + ChangeStatements.literal(snapshot) + ")";
    }

    /** The statement, run in the transaction that applies a round of changes, that records where the round ends. */
    static String appliedStatement(Lsn end) {
        return "UPDATE exodus.sync_run SET applied_lsn = '" + end + "' WHERE slot = "
                + ChangeStatements.literal(SyncNames.SLOT);
    }
}
