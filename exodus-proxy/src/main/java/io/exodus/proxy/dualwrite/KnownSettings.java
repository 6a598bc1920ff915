package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.functions.DatabaseFunctions;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.FunctionVolatility;
import io.exodus.proxy.sql.StatementKind;
import io.vertx.core.Future;

import java.util.Set;

/**
 * A session's settings as it last read them from the primary ({@link SessionSettings}), kept for the next queued
 * transaction while nothing can have changed them. The read scans pg_settings, about a millisecond of the primary's
 * CPU, and best-effort in mode queued did it for every transaction (docs/benchmarks.md, "Where the source's time
 * goes"); kept, a queued transaction asks for its isolation level alone.
 *
 * <p>What the session sends is seen: a request that changes settings ({@link QueueHandoff#changesSettings}, or names
 * {@code pg_settings}, whose UPDATE rule calls set_config) forgets them, and a read inside the transaction that ran it
 * is not kept (its end, or a rollback to a savepoint, undoes what it set). What the session does not send is ruled
 * out for each statement and for the database: every statement since the read must be a read, a write or a
 * transaction verb calling only the server's own functions ({@link FunctionVolatility#runsServerCodeOnly}),
 * and the database must hold no object that runs code of its own implicitly (a trigger, rule, view, default...: see
 * {@link DatabaseFunctions#IMPLICIT_CODE}) since before the read. Otherwise, as before, every queued transaction reads
 * them. A transaction queued from its start takes them before its first write ({@link #takeAtStart}); docs/adr/0050.
 * One session's, on its event loop.
 */
final class KnownSettings {
    private final DatabaseFunctions database;
    private final ClassificationCache classifications;
    /** The session's custom settings, whose names the session's statements show. */
    private final CustomSettings custom;
    /** The settings as SET statements, as last read and still true; null when they must be read. */
    private String settings;
    /** The leg they were read from: a session whose primary moved reads them from the new one. */
    private Leg readFrom;
    /** The database's {@link DatabaseFunctions#settingsEpoch} when they were read. */
    private long epoch;
    /** The current transaction changed settings: what is read in it does not outlive it. */
    private boolean changedInTransaction;
    /** The settings as the current transaction's first write found them, when it went to the queue at that write. */
    private Future<String> atStart;

    KnownSettings(DatabaseFunctions database, ClassificationCache classifications, CustomSettings custom) {
        this.database = database;
        this.classifications = classifications;
        this.custom = custom;
    }

    /**
     * The current transaction goes to the queue before its first write reaches the primary: its settings are taken
     * now, on the primary ahead of that write, for its entry. Settings the transaction's own statements change after
     * this (a trigger calling set_config) are set again by the same statements when it replays; read at its COMMIT
     * instead, they would apply to the replay of statements that ran before the change.
     */
    void takeAtStart(Leg primary) {
        if (atStart == null) {
            atStart = settingsFrom(primary);
        }
    }

    /** Whether the current transaction's settings were taken before its first write. */
    boolean takenAtStart() {
        return atStart != null;
    }

    /**
     * The statement that gives a queued transaction its session's settings ({@link SessionSettings#statement}): those
     * taken at its start, or else those of now; with its isolation level, read now.
     */
    Future<String> statementFrom(Leg primary) {
        Future<String> settingsThen = atStart != null ? atStart : settingsFrom(primary);
        Future<String> isolation = SessionSettings.isolationFrom(primary);
        return Future.all(settingsThen, isolation)
                .map(both -> SessionSettings.statement(isolation.result(), settingsThen.result()));
    }

    /** The session's settings as SET statements: as last read while they still hold, else read now. */
    private Future<String> settingsFrom(Leg primary) {
        if (settings != null && readFrom == primary && database.settingsSetBySessionsOnly()
                && database.settingsEpoch() == epoch) {
            return Future.succeededFuture(settings);
        }
        boolean keep = !changedInTransaction && database.settingsSetBySessionsOnly();
        long epochBefore = database.settingsEpoch();
        settings = null;
        return SessionSettings.settingsFrom(primary, Set.copyOf(custom.names())).map(read -> {
            if (keep && !changedInTransaction) {
                settings = read;
                readFrom = primary;
                epoch = epochBefore;
            }
            return read;
        });
    }

    /** Notes the custom settings the statement names (before it runs on the primary, or ahead of it). */
    void namesIn(String sql, Classification classification) {
        if (custom.seen(sql, classification)) {
            // A setting read without its name was read without its value.
            settings = null;
        }
    }

    /** Before each statement text a request runs on the primary. */
    void beforeStatement(String sql, Classification classification) {
        namesIn(sql, classification);
        if (setsSettings(sql, classification) || !runsOnlyWhatItSays(classification, classifications.volatility())) {
            // Code the text does not show (a function of the database) may change settings as it runs, after a
            // read taken for this transaction before it (at its first write): that read must not outlive it.
            settings = null;
            changedInTransaction = true;
        }
    }

    /**
     * Whether running the statement may change a setting, as far as its text can tell: the database's own objects
     * aside ({@link DatabaseFunctions#settingsSetBySessionsOnly}), which the caller rules out.
     */
    static boolean maySetSettings(String sql, Classification classification, FunctionVolatility volatility) {
        return setsSettings(sql, classification) || !runsOnlyWhatItSays(classification, volatility);
    }

    /** SET, RESET, set_config, an UPDATE of pg_settings: the statement changes settings. */
    private static boolean setsSettings(String sql, Classification classification) {
        return QueueHandoff.changesSettings(classification) || writes(classification) && namesPgSettings(sql);
    }

    /** The primary's transaction ended. */
    void transactionEnded() {
        changedInTransaction = false;
        atStart = null;
    }

    /** Whether no code but the server's own, called by name in the text, can run in it (the database aside). */
    private static boolean runsOnlyWhatItSays(Classification classification, FunctionVolatility volatility) {
        for (Classification statement : classification.statements()) {
            StatementKind kind = statement.kind();
            if (kind != StatementKind.READ && kind != StatementKind.WRITE && kind != StatementKind.TRANSACTION) {
                return false;
            }
            for (String call : statement.functionCalls()) {
                if (!volatility.runsServerCodeOnly(call)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean writes(Classification classification) {
        for (Classification statement : classification.statements()) {
            if (statement.kind() == StatementKind.WRITE) {
                return true;
            }
        }
        return false;
    }

    private static boolean namesPgSettings(String sql) {
        String name = "pg_settings";
        for (int at = sql.length() - name.length(); at >= 0; at--) {
            if (sql.regionMatches(true, at, name, 0, name.length())) {
                return true;
            }
        }
        return false;
    }
}
