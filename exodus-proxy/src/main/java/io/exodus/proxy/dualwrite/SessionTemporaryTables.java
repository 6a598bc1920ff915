package io.exodus.proxy.dualwrite;

import io.exodus.proxy.catchup.TransactionRecording;
import io.exodus.proxy.sql.PrepareRefusals;
import io.exodus.proxy.sql.TemporaryTables;
import io.exodus.proxy.sql.WrittenTables;

import java.util.HashSet;
import java.util.Set;

/**
 * The temporary tables a session created. A transaction that names one cannot be queued: the catch-up applier runs
 * on a connection of its own, where the name means nothing, or a permanent table of the same name that the replayed
 * statement (a write, or DDL such as {@code CREATE INDEX … ON t}) would change instead (silent corruption of the
 * target). Such a transaction, should the target miss it, is reported and its tables marked divergent rather than
 * queued. A name leaves the set when the session drops
 * the table (the DROP itself still names the temporary table); a table dropped with its transaction ({@code ON COMMIT
 * DROP}, a rolled-back CREATE) keeps its name, which at worst keeps a later transaction out of the queue, loudly.
 */
final class SessionTemporaryTables {
    private final Set<String> names = new HashSet<>();
    /** The session has made a temporary object, whether it still holds it or not. */
    private boolean heldSome;

    /**
     * Before a request runs: one that creates a temporary table counts as holding one from now on, so that the
     * decisions taken before it runs (best-effort queued keeps such a session live, ADR 0049) already know.
     */
    void beforeRequest(UnitPlan plan) {
        for (String sql : plan.executedSql()) {
            heldSome |= !TemporaryTables.createdIn(sql).isEmpty();
        }
    }

    /** Notes the temporary tables the request created (if it ran). */
    void afterRequest(UnitPlan plan) {
        for (String sql : plan.executedSql()) {
            TemporaryTables.track(sql, names);
        }
        heldSome |= !names.isEmpty();
    }

    /** Whether the session has made a temporary object, held still or not. */
    boolean heldAny() {
        return heldSome;
    }

    /**
     * Why a transaction that runs {@code sql} cannot end with PREPARE TRANSACTION ({@link PrepareRefusals}), or null.
     * A session that has held temporary objects is taken to touch them in any transaction: a function that reads one,
     * a DROP … CASCADE or a database-wide ANALYZE reach one without naming it, and a DROP that failed (PostgreSQL
     * refused it) took its name out of the set all the same.
     */
    String whyNotPreparable(String sql) {
        if (heldSome) {
            return "the session has held temporary objects";
        }
        return PrepareRefusals.in(sql);
    }

    /**
     * The text the catch-up applier is to replay for {@code statementText}: a DROP TABLE of temporary and permanent
     * tables together drops the permanent ones there (the applier has none of the session's temporary tables).
     */
    String replayable(String statementText) {
        return TemporaryTables.permanentPart(statementText, names).orElse(statementText);
    }

    /**
     * Marks the recording unqueueable if what the applier would replay names one of the session's temporary tables:
     * the statement's text, or with {@code asRowImage} the rows it wrote, whose table is all the replay names (an
     * {@code INSERT … SELECT … FROM} a temporary table replays as the rows it inserted).
     */
    void refuseIfReplayNames(String statementText, boolean asRowImage, TransactionRecording recording) {
        if (statementText == null || names.isEmpty() && !TemporaryTables.mentionsTemp(statementText)) {
            return; // most sessions never create one: their writes are not lexed again
        }
        if (asRowImage) {
            for (String table : WrittenTables.in(statementText)) {
                if (TemporaryTables.mentionedIn(table, names).isPresent()) {
                    recording.refuse("it writes the temporary table " + table + " of its session, which the catch-up "
                            + "applier does not have");
                    return;
                }
            }
            return;
        }
        Set<String> created = TemporaryTables.createdIn(statementText);
        if (!created.isEmpty()) {
            // Replayed, it would leave the table on the applier's connection, where later replays would mean it.
            recording.refuse("it creates the temporary table " + String.join(", ", created) + ", which belongs to its "
                    + "session and not to the catch-up applier's");
        } else {
            TemporaryTables.mentionedIn(statementText, names).ifPresent(table -> recording.refuse("it names the "
                    + "temporary table " + table + " of its session, which the catch-up applier does not have"));
        }
    }
}
