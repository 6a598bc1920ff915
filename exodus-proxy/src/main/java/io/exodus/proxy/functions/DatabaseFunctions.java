package io.exodus.proxy.functions;

import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.FunctionVolatility;
import io.exodus.proxy.sql.FunctionVolatility.CatalogRow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The functions of one source database as statement classification needs them, kept current: read when the first
 * session of the database starts, again whenever a statement calls a function they do not hold (it was made since),
 * when a transaction through this proxy that changed functions ends, and on an interval while sessions are open
 * (changes made through another proxy). While a transaction that changes functions is open, and until a reading
 * begun after it ended has come back, none of the database's own functions counts as a read: {@code CREATE OR
 * REPLACE} may have made one volatile. Thread-safe: sessions of every event loop share it.
 *
 * <p>Each reading also says whether the database holds objects that run functions no statement names
 * ({@link #IMPLICIT_CODE}): a trigger, rule, view, default, constraint, policy, cast, operator or type whose code is
 * the database's own, or that calls {@code set_config}. Without them, a session's settings change only by what the
 * session sends, and a queued transaction may reuse the settings its session read before ({@link
 * #settingsSetBySessionsOnly}). DDL through this proxy holds that answer back the same way as changes of functions.
 */
public final class DatabaseFunctions {
    private static final Logger LOG = Logger.getLogger(DatabaseFunctions.class);

    /**
     * Whether any object runs, without being called by name, a function outside the server's schemas or
     * {@code set_config}. The first: dependencies on such a function of anything but another function (whose own
     * calls are by name), leaving out an extension's own objects, or parts of them (the rule of pg_stat_statements'
     * view, pg_trgm's operators), where what they call is compiled code, which does not set a session's settings. The
     * second: PostgreSQL records no dependency on its own functions, so the expressions that run implicitly
     * (defaults, constraints, rules and views, policies, trigger conditions, domain defaults) are searched for a call
     * of set_config. Objects made by initdb ({@code pg_settings}' UPDATE rule calls set_config) are below the first
     * OID a database's own objects get.
     */
    public static final String IMPLICIT_CODE = """
            SELECT EXISTS (
                SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid
                WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                  AND d.classid <> 'pg_catalog.pg_proc'::pg_catalog.regclass
                  AND d.deptype <> 'p' AND d.objid >= 16384
                  AND p.pronamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace,
                                             'information_schema'::pg_catalog.regnamespace)
                  AND NOT (p.prolang IN (SELECT oid FROM pg_catalog.pg_language WHERE lanname IN ('c', 'internal'))
                           AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.deptype = 'e'
                                       AND (e.classid = d.classid AND e.objid = d.objid
                                            OR (e.classid, e.objid) IN (
                                                SELECT o.refclassid, o.refobjid FROM pg_catalog.pg_depend o
                                                WHERE o.classid = d.classid AND o.objid = d.objid
                                                  AND o.deptype IN ('i', 'a'))))))
            OR EXISTS (
                SELECT 1 FROM (
                    SELECT adbin::text FROM pg_catalog.pg_attrdef
                    UNION ALL SELECT conbin::text FROM pg_catalog.pg_constraint WHERE conbin IS NOT NULL
                    UNION ALL SELECT ev_action::text || ev_qual::text FROM pg_catalog.pg_rewrite WHERE oid >= 16384
                    UNION ALL SELECT coalesce(polqual::text, '') || coalesce(polwithcheck::text, '')
                              FROM pg_catalog.pg_policy
                    UNION ALL SELECT tgqual::text FROM pg_catalog.pg_trigger WHERE tgqual IS NOT NULL
                    UNION ALL SELECT typdefaultbin::text FROM pg_catalog.pg_type WHERE typdefaultbin IS NOT NULL
                ) expression(tree)
                WHERE tree LIKE '%:funcid ' || 'pg_catalog.set_config(text, text, boolean)'::pg_catalog.regprocedure::oid
                                || ' %')""";

    /** One reading of a database: its own functions, and whether objects run functions implicitly. */
    public record Reading(List<CatalogRow> rows, boolean implicitCode) {
    }
    /** Readings start at most this often, however many unknown calls ask for one. */
    private static final long MIN_INTERVAL_NANOS = 500_000_000L;

    private final String database;
    private final List<CatalogRow> builtins;
    private final Function<String, Future<Reading>> reader;
    private final Vertx vertx;
    private final ClassificationCache classifications;
    /** The database's own functions as last read; empty before the first reading. */
    private List<CatalogRow> userRows = List.of();
    /** When the reading that gave {@link #userRows} started (System.nanoTime); 0 before any. */
    private long rowsReadAt;
    /** Open transactions (of this proxy's sessions) that changed functions. */
    private int holds;
    /** When the last of those ended. */
    private long lastRelease;
    private boolean reading;
    private boolean readAgain;
    private boolean readScheduled;
    private long lastReadStarted;
    private int sessions;
    private long lastSessionClosed;
    private String lastFailure;
    /** What the last reading said of implicit code; true (unknown) before one and after a failed one. */
    private boolean implicitCode = true;
    /** Open transactions (of this proxy's sessions) that ran DDL, which may add objects that run code implicitly. */
    private int schemaHolds;
    /** When the last of those ended. */
    private long lastSchemaRelease;
    /** Advances whenever code no session sends may have begun to run: settings read before may not hold. */
    private long settingsEpoch;

    DatabaseFunctions(String database, List<CatalogRow> builtins, Function<String, Future<Reading>> reader,
            Vertx vertx) {
        this.database = database;
        this.builtins = builtins;
        this.reader = reader;
        this.vertx = vertx;
        this.classifications = new ClassificationCache(current());
    }

    /** The classifications of statements run in this database, with its functions as last read. */
    public ClassificationCache classifications() {
        return classifications;
    }

    public synchronized void sessionOpened() {
        sessions++;
    }

    public synchronized void sessionClosed() {
        sessions--;
        lastSessionClosed = System.nanoTime();
    }

    synchronized boolean hasSessions() {
        return sessions > 0;
    }

    /** Whether a session was open at any time since {@code nanos}. */
    synchronized boolean inUseSince(long nanos) {
        return sessions > 0 || lastSessionClosed != 0 && lastSessionClosed - nanos >= 0;
    }

    /** A transaction changes functions of the database (or may): until it ends, none of them is a read. */
    public synchronized void hold() {
        holds++;
        publish();
    }

    /** A transaction that {@link #hold held} ended: the functions are read again, and trusted once they are. */
    public synchronized void release() {
        holds = Math.max(0, holds - 1);
        lastRelease = System.nanoTime();
        read();
    }

    /** Reads the functions again, at once or as soon as the last reading allows. */
    public synchronized void read() {
        if (reading) {
            readAgain = true;
            return;
        }
        long wait = lastReadStarted == 0 ? 0 : MIN_INTERVAL_NANOS - (System.nanoTime() - lastReadStarted);
        if (wait > 0) {
            if (!readScheduled) {
                readScheduled = true;
                vertx.setTimer(Math.max(1, wait / 1_000_000), id -> {
                    synchronized (this) {
                        readScheduled = false;
                    }
                    read();
                });
            }
            return;
        }
        reading = true;
        long started = System.nanoTime();
        lastReadStarted = started;
        reader.apply(database).onComplete(result -> read(started, result.result(), result.cause()));
    }

    private void read(long started, Reading result, Throwable failure) {
        boolean again;
        synchronized (this) {
            reading = false;
            if (failure == null) {
                userRows = List.copyOf(result.rows());
                rowsReadAt = started;
                lastFailure = null;
                implicitCodeRead(result.implicitCode());
                publish();
            } else if (!String.valueOf(failure.getMessage()).equals(lastFailure)) {
                lastFailure = String.valueOf(failure.getMessage());
                implicitCodeRead(true);
                LOG.warnf("Could not read the functions of database \"%s\" on the source (%s): calls to its own "
                        + "functions count as writes until they can be read", database, lastFailure);
            }
            again = readAgain;
            readAgain = false;
        }
        if (again) {
            read();
        }
    }

    /** A transaction runs DDL: until it ends and a reading begun after has come back, settings are read anew. */
    public synchronized void holdSchema() {
        schemaHolds++;
        settingsEpoch++;
    }

    /** A transaction that {@link #holdSchema held} ended: the database is read again. */
    public synchronized void releaseSchema() {
        schemaHolds = Math.max(0, schemaHolds - 1);
        lastSchemaRelease = System.nanoTime();
        read();
    }

    /**
     * Whether a session's settings change only by what the session sends, as far as the last reading (begun after
     * the last DDL through this proxy ended) knows: no object runs code implicitly. DDL made elsewhere is seen at the
     * next reading, every {@code exodus.migration.function-refresh}.
     */
    public synchronized boolean settingsSetBySessionsOnly() {
        return !implicitCode && schemaHolds == 0 && rowsReadAt != 0
                && (lastSchemaRelease == 0 || rowsReadAt - lastSchemaRelease > 0);
    }

    /** Settings a session read while {@link #settingsSetBySessionsOnly} held still hold while this is unchanged. */
    public synchronized long settingsEpoch() {
        return settingsEpoch;
    }

    private void implicitCodeRead(boolean found) {
        if (found && !implicitCode) {
            settingsEpoch++;
        }
        implicitCode = found;
    }

    /** Gives the classifications the catalog as it now stands, if it changed (which forgets what they hold). */
    private void publish() {
        FunctionVolatility next = current();
        FunctionVolatility now = classifications.volatility();
        if (!next.sameFunctions(now) || next.trustsUserFunctions() != now.trustsUserFunctions()) {
            classifications.replaceVolatility(next);
        }
    }

    private FunctionVolatility current() {
        List<CatalogRow> rows = new ArrayList<>(builtins.size() + userRows.size());
        rows.addAll(builtins);
        rows.addAll(userRows);
        FunctionVolatility catalog = FunctionVolatility.fromCatalog(rows);
        if (holds > 0 || lastRelease != 0 && rowsReadAt - lastRelease <= 0) {
            catalog = catalog.distrustingUserFunctions();
        }
        return catalog.reportingUnknownCallsTo(call -> read());
    }
}
