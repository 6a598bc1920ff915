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
 */
public final class DatabaseFunctions {
    private static final Logger LOG = Logger.getLogger(DatabaseFunctions.class);
    /** Readings start at most this often, however many unknown calls ask for one. */
    private static final long MIN_INTERVAL_NANOS = 500_000_000L;

    private final String database;
    private final List<CatalogRow> builtins;
    private final Function<String, Future<List<CatalogRow>>> reader;
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

    DatabaseFunctions(String database, List<CatalogRow> builtins, Function<String, Future<List<CatalogRow>>> reader,
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

    private void read(long started, List<CatalogRow> rows, Throwable failure) {
        boolean again;
        synchronized (this) {
            reading = false;
            if (failure == null) {
                userRows = List.copyOf(rows);
                rowsReadAt = started;
                lastFailure = null;
                publish();
            } else if (!String.valueOf(failure.getMessage()).equals(lastFailure)) {
                lastFailure = String.valueOf(failure.getMessage());
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
