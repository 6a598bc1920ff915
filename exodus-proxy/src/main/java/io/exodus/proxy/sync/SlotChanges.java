package io.exodus.proxy.sync;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changes since the slot's position, applied to the target. Each round peeks at the slot (over a plain
 * connection, with the in-core pgoutput plugin: no replication protocol needed), applies the whole transactions it
 * got in one target transaction, which also records in the journal where the last of them ends, and only after that
 * commits advances the slot past them. A crash in between leaves the slot where it was: nothing the target lacks is
 * ever forgotten by the source, and what the journal says was applied is skipped when it comes again. A change of a
 * table copied under a later snapshot than the slot's (a sync resumed after a crash) is skipped when that snapshot
 * saw its transaction: the copy holds it already (ADR 0031).
 */
final class SlotChanges {
    static final int CHANGES_PER_ROUND = 10_000;
    private static final String PEEK = "SELECT data FROM pg_catalog.pg_logical_slot_peek_binary_changes($1, %s, $2, "
            + "'proto_version', '1', 'publication_names', $3)";
    private static final String ADVANCE = "SELECT pg_catalog.pg_replication_slot_advance($1, $2::text::pg_lsn)";

    private final Pool source;
    private final SqlConnection target;
    private final SyncProgress progress;
    private final Map<Integer, PgOutputMessage.Relation> relations = new HashMap<>();
    private final Map<String, Set<String>> alwaysIdentity = new HashMap<>();
    private final Map<String, CopySnapshot> copiedUnder;
    /** The end of the last transaction applied; transactions ending there or before are not applied again. */
    private Lsn appliedEnd;

    /**
     * @param target a session of the target with {@code session_replication_role = replica} (the source's triggers
     *               and foreign keys did their work already, their effects are among the changes) and
     *               {@code standard_conforming_strings = on}
     * @param copiedUnder per table ({@code schema.name}) the snapshot its rows were copied under; a table missing
     *                    was copied under the slot's
     * @param appliedEnd  where the last transaction the journal says was applied ends; null when none was
     */
    SlotChanges(Pool source, SqlConnection target, List<SyncedTable> tables, Map<String, CopySnapshot> copiedUnder,
            Lsn appliedEnd, SyncProgress progress) {
        tables.forEach(table -> alwaysIdentity.put(table.display(), table.alwaysIdentity()));
        this.copiedUnder = Map.copyOf(copiedUnder);
        this.appliedEnd = appliedEnd;
        this.source = source;
        this.target = target;
        this.progress = progress;
    }

    /** What a round did: transactions applied, and whether the slot may hold more right now. */
    record Round(int transactions, boolean mayHoldMore) {
    }

    /**
     * One round: the transactions that commit before {@code upTo} (every one the slot holds, when null), up to about
     * {@link #CHANGES_PER_ROUND} changes.
     */
    Future<Round> applyRound(Lsn upTo) {
        String sql = PEEK.formatted(upTo == null ? "NULL" : "'" + upTo + "'::pg_lsn");
        return source.preparedQuery(sql).execute(Tuple.of(SyncNames.SLOT, CHANGES_PER_ROUND,
                SyncNames.PUBLICATION + "," + SyncNames.INSERT_ONLY_PUBLICATION)).compose(rows -> {
                    List<ChangeStatements.Statement> statements = new ArrayList<>();
                    List<ChangeStatements.Statement> transaction = new ArrayList<>();
                    int transactions = 0;
                    int xid = 0;
                    Lsn end = null;
                    for (Row row : rows) {
                        PgOutputMessage message = PgOutputDecoder.decode(row.getBuffer(0));
                        if (message instanceof PgOutputMessage.Relation relation) {
                            relations.put(relation.id(), relation);
                        } else if (message instanceof PgOutputMessage.Begin begin) {
                            transaction.clear();
                            xid = begin.xid();
                        } else if (message instanceof PgOutputMessage.Commit commit) {
                            if (appliedEnd == null || commit.endLsn() > appliedEnd.value()) {
                                statements.addAll(transaction);
                            }
                            transaction.clear();
                            transactions++;
                            end = new Lsn(commit.endLsn());
                        } else if (!(message instanceof PgOutputMessage.Other)) {
                            PgOutputMessage change = notInCopy(message, xid);
                            if (change != null) {
                                transaction.add(ChangeStatements.of(change, relations, alwaysIdentity));
                            }
                        }
                    }
                    boolean mayHoldMore = rows.size() >= CHANGES_PER_ROUND;
                    if (transactions == 0) {
                        return Future.succeededFuture(new Round(0, mayHoldMore));
                    }
                    int applied = transactions;
                    Lsn advanceTo = end;
                    return apply(statements, advanceTo).compose(v -> source.preparedQuery(ADVANCE)
                            .execute(Tuple.of(SyncNames.SLOT, advanceTo.toString()))).map(v -> {
                                appliedEnd = advanceTo;
                                progress.changesApplied(statements.size());
                                return new Round(applied, mayHoldMore);
                            });
                });
    }

    /**
     * The change as far as it is not in a copy already: null when the table's copy saw transaction {@code xid}; a
     * TRUNCATE keeps the tables whose copies did not see it.
     */
    private PgOutputMessage notInCopy(PgOutputMessage change, int xid) {
        if (change instanceof PgOutputMessage.Insert insert) {
            return copySaw(insert.relation(), xid) ? null : change;
        }
        if (change instanceof PgOutputMessage.Update update) {
            return copySaw(update.relation(), xid) ? null : change;
        }
        if (change instanceof PgOutputMessage.Delete delete) {
            return copySaw(delete.relation(), xid) ? null : change;
        }
        if (change instanceof PgOutputMessage.Truncate truncate) {
            List<Integer> left = truncate.relations().stream().filter(id -> !copySaw(id, xid)).toList();
            return left.isEmpty() ? null
                    : new PgOutputMessage.Truncate(left, truncate.cascade(), truncate.restartIdentity());
        }
        return change;
    }

    private boolean copySaw(int relationId, int xid) {
        PgOutputMessage.Relation relation = relations.get(relationId);
        if (relation == null) {
            return false; // ChangeStatements says what is wrong
        }
        return copiedUnder.getOrDefault(relation.schema() + "." + relation.name(), CopySnapshot.SLOTS).sees(xid);
    }

    /** The statements in one target transaction that also records {@code end} in the journal. */
    private Future<Void> apply(List<ChangeStatements.Statement> statements, Lsn end) {
        if (statements.isEmpty()) {
            return Future.succeededFuture();
        }
        List<ChangeStatements.Statement> merged = mergeInserts(statements);
        StringBuilder sql = new StringBuilder("BEGIN");
        for (ChangeStatements.Statement statement : merged) {
            sql.append(";\n").append(statement.sql());
        }
        Future<Void> applied = target.query(sql.toString()).execute().compose(first -> {
            RowSet<Row> result = first.next(); // the first result is BEGIN's
            for (ChangeStatements.Statement statement : merged) {
                if (statement.mustTouchOneRow() && result.rowCount() != 1) {
                    String problem = "the target has no row for a change the source made (" + statement.sql() + ")";
                    return Future.<Void>failedFuture(new IllegalStateException(problem));
                }
                result = result.next();
            }
            return target.query(SyncJournal.appliedStatement(end) + "; COMMIT").execute().<Void>mapEmpty();
        });
        return applied.recover(failure -> target.query("ROLLBACK").execute()
                .transform(v -> Future.<Void>failedFuture(failure)));
    }

    /**
     * Consecutive INSERTs into the same table as one INSERT of many rows: the same rows in the same order, one
     * statement for the target to parse and plan instead of many.
     */
    static List<ChangeStatements.Statement> mergeInserts(List<ChangeStatements.Statement> statements) {
        List<ChangeStatements.Statement> merged = new ArrayList<>();
        int i = 0;
        while (i < statements.size()) {
            ChangeStatements.Statement first = statements.get(i);
            int j = i + 1;
            if (first.insertInto() != null) {
                StringBuilder rows = new StringBuilder(first.row());
                while (j < statements.size() && first.insertInto().equals(statements.get(j).insertInto())) {
                    rows.append(", ").append(statements.get(j).row());
                    j++;
                }
                merged.add(j == i + 1 ? first : new ChangeStatements.Statement(first.insertInto() + rows, false));
            } else {
                merged.add(first);
            }
            i = j;
        }
        return merged;
    }
}
